"""E-mail newsletters and messages."""

from pathlib import Path

from index.ingest import extract

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "email"


def load(name):
    return extract((SAMPLES / name).read_bytes(), name)


def test_newsletter_with_list_id_and_byline():
    doc = load("newsletter_multipart.eml")
    assert doc.title == "Issue 112: Slugs, beer traps and what actually works"  # "[Allotment Weekly]" dropped
    assert doc.authors == ["Harriet Moss"]  # the sender is the newsletter, the byline names the writer
    assert doc.published == "2023-05-06"
    assert doc.publication == "Allotment Weekly"
    assert doc.content_type == "message/rfc822"


def test_text_part_is_preferred_and_signature_dropped():
    doc = load("newsletter_multipart.eml")
    assert "raising seedlings in pots" in doc.text  # quoted-printable soft breaks joined
    assert "Unsubscribe" not in doc.text
    assert "<p>" not in doc.text


def test_html_only_message_in_latin1():
    doc = load("html_only_french.eml")
    assert doc.title == "Les marchés de Noël font leur retour"
    assert doc.authors == ["Renée Lefèvre"]
    assert doc.published == "2022-11-25"
    assert doc.publication == "lettre-regionale.example"  # no list: the sender's domain
    assert doc.language == "fr"
    assert "À Colmar" in doc.text
    assert "|" not in doc.text  # the layout table is not read as a data table


def test_personal_message_with_catalogue_name():
    doc = load("personal_note.eml")
    assert doc.authors == ["Maria Lopez"]  # "Lopez, Maria"
    assert doc.title == "Notes from the library board meeting"
    assert doc.published == "2023-02-14"


def test_reply_prefixes_are_dropped():
    message = (b"From: Ann Lee <ann@example.com>\r\nSubject: Re: Fwd: [club] Spring walks\r\n"
               b"Date: Mon, 3 Apr 2023 10:00:00 +0000\r\n\r\n"
               b"The spring walks start on Saturday from the church car park at nine.\r\n")
    doc = extract(message, "walks.eml")
    assert doc.title == "Spring walks"
    assert doc.authors == ["Ann Lee"]
