"""The shared cleaning helpers: decoding, whitespace, dates, names, language."""

from pathlib import Path

import pytest

from index.errors import Unreadable
from index.ingest.normalize import (
    clean_author,
    clean_text,
    decode_text,
    detect_language,
    find_date,
    parse_date,
    split_authors,
)

# --- decode_text ---------------------------------------------------------------------------------


def test_decode_utf8():
    assert decode_text("Cuba’s café".encode("utf-8")) == "Cuba’s café"


def test_decode_utf8_with_bom():
    assert decode_text(b"\xef\xbb\xbfHello") == "Hello"


def test_decode_utf16_with_bom():
    assert decode_text("Grüße aus Köln".encode("utf-16")) == "Grüße aus Köln"


def test_decode_latin1_by_detection():
    text = (
        "Le gouvernement a annoncé mardi une nouvelle série de mesures économiques. Selon le "
        "ministre, ces décisions étaient nécessaires à cause de la crise."
    )
    assert decode_text(text.encode("latin-1")) == text


def test_decode_cp1252_english_with_a_few_accents():
    text = "The café served crème brûlée. Señor García’s naïve résumé was lost. It costs €6."
    assert decode_text(text.encode("cp1252")) == text


def test_decode_refuses_noise():
    noise = bytes(range(128, 256)) * 4 + bytes(range(0, 32)) * 8
    with pytest.raises(Unreadable, match="not valid text"):
        decode_text(noise)


def test_decode_normalises_to_nfc():
    assert decode_text("cafe\u0301".encode("utf-8")) == "café"


# --- clean_text ----------------------------------------------------------------------------------


def test_clean_text_line_breaks_and_blank_lines():
    assert clean_text("a\r\nb\rc\n\n\n\n\nd") == "a\nb\nc\n\nd"


def test_clean_text_strips_controls_but_keeps_tabs():
    assert clean_text("a\x00b\x07c\td") == "abc\td"


def test_clean_text_trailing_spaces_and_whitespace_only_lines():
    assert clean_text("  one  \n \u00a0 \n\ntwo\u00a0 \n") == "one\n\ntwo"


def clean_text_rule_by_rule(s: str) -> str:
    """What `clean_text` does, each rule on its own."""
    import re
    import unicodedata

    s = unicodedata.normalize("NFC", s)
    s = re.sub(r"\r\n|\r|\u2028|\u2029|\x0b|\x0c|\x85", "\n", s)
    s = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u200b\u2060]", "", s)
    s = re.sub(r"[^\S\n]+\n", "\n", s + "\n")  # trailing whitespace of every line
    s = "\n".join("" if not line.strip() else line for line in s.split("\n"))
    s = re.sub(r"\n{3,}", "\n\n", s)
    return s.strip()


def test_clean_text_follows_each_rule_on_random_texts():
    import random

    rng = random.Random(5)
    alphabet = ["a", "B", "é", "e\u0301", " ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u2003", "\u2028", "\x0b",
                "\x0c", "\x85", "\x1c", "\x1f", "\x00", "\x07", "\u200b", "\ufeff", "\u3000", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        assert clean_text(text) == clean_text_rule_by_rule(text), repr(text)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, iso",
    [
        ("April 30, 2020", "2020-04-30"),
        ("30 April 2020", "2020-04-30"),
        ("Apr. 30, 2020", "2020-04-30"),
        ("April 30th, 2020", "2020-04-30"),
        ("2020-04-30", "2020-04-30"),
        ("2020-04-30T10:00:00Z", "2020-04-30"),
        ("2020/04/30", "2020-04-30"),
        ("30/04/2020", "2020-04-30"),
        ("30.04.2020", "2020-04-30"),
        ("Thursday, April 30, 2020", "2020-04-30"),
        ("April 30, 2020 at 10:00 am EDT", "2020-04-30"),
        ("30 avril 2020", "2020-04-30"),
        ("jeudi 30 avril 2020", "2020-04-30"),
        ("1er mai 2020", "2020-05-01"),
        ("le 3 août 2021", "2021-08-03"),
        ("30. April 2020", "2020-04-30"),
        ("30. März 2020", "2020-03-30"),
        ("30 de abril de 2020", "2020-04-30"),
        ("30 aprile 2020", "2020-04-30"),
        ("30 de março de 2020", "2020-03-30"),
    ],
)
def test_parse_full_dates(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text, iso",
    [("2020", "2020"), ("2020-04", "2020-04"), ("April 2020", "2020-04"), ("avril 2020", "2020-04"),
     ("abril de 2020", "2020-04"), ("März 2020", "2020-03")],
)
def test_parse_partial_dates_stay_partial(text, iso):
    assert parse_date(text) == iso


def test_iso_dates_read_directly_as_when_found_among_other_words():
    """A date already in ISO form is read without the general search; its answer is the one the
    search gives for the same date with a weekday before it (which takes the general way)."""
    import random

    rng = random.Random(12)
    texts = [f"{rng.randrange(900, 3100):04d}-{rng.randrange(0, 14):02d}-{rng.randrange(0, 33):02d}"
             for _ in range(400)]
    texts += [text[:7] for text in texts[:100]] + ["2020-02-29", "2021-02-29", " 2020-04-30 ", "2020-04-30\n"]
    for text in texts:
        assert parse_date(text) == parse_date("Monday " + text), text
    assert sum(parse_date(text) is None for text in texts) > 50  # impossible ones among them


def test_numeric_dates_day_first_only_when_unambiguous():
    assert parse_date("30/04/2020") == "2020-04-30"
    assert parse_date("04/30/2020") == "2020-04-30"
    assert parse_date("04/05/2020") == "2020-04-05"  # ambiguous: month before day, as in ISO


@pytest.mark.parametrize(
    "text",
    ["February 30, 2020", "30 February 2020", "2021-02-29", "13/13/2020", "2020-13", "hello",
     "", "sold out 2020", "April 30, 2020 was a good day"],
)
def test_parse_rejects_impossible_or_non_dates(text):
    assert parse_date(text) is None


def test_find_date_in_a_line():
    line = "Posted on April 30, 2020 by Jane Doe"
    iso, (start, end) = find_date(line)
    assert iso == "2020-04-30"
    assert line[start:end] == "April 30, 2020"


def test_find_date_ignores_bare_years_in_prose():
    assert find_date("In 2016, the rate was down to 4.3 per 1,000.") is None


# --- authors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        ("By ANDREW KING", "Andrew King"),
        ("King, Andrew", "Andrew King"),
        ("andrew king", "Andrew King"),
        ("Ronald McDonald", "Ronald McDonald"),
        ("RONALD MCDONALD", "Ronald McDonald"),
        ("Juan de la Cruz", "Juan de la Cruz"),
        ("JUAN DE LA CRUZ", "Juan de la Cruz"),
        ("CONOR O'BRIEN", "Conor O'Brien"),
        ("Jean-Luc Picard", "Jean-Luc Picard"),
        ("Jane Doe (University of Somewhere)", "Jane Doe"),
        ("Jane Doe <jane@example.org>", "Jane Doe"),
        ("Jane Doe is a lecturer at Suffolk University", "Jane Doe"),
        ("Jane Doe, Staff Writer", "Jane Doe"),
        ("Jane Doe | April 30, 2020", "Jane Doe"),
        ("By JANE DOE Associated Press", "Jane Doe"),
    ],
)
def test_clean_author(text, name):
    assert clean_author(text) == name


@pytest.mark.parametrize(
    "text, names",
    [
        ("Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        ("Jane Doe & John Smith", ["Jane Doe", "John Smith"]),
        ("Jane Doe, John Smith and Ann Lee", ["Jane Doe", "John Smith", "Ann Lee"]),
        ("Jane Doe, John Smith, and Ann Lee", ["Jane Doe", "John Smith", "Ann Lee"]),
        ("By Jane Doe and Jane Doe", ["Jane Doe"]),
    ],
)
def test_split_authors(text, names):
    assert split_authors(text) == names


@pytest.mark.parametrize(
    "text",
    ["This is not a name at all but a sentence", "Room 101 Staff", "https://example.com/jane",
     "AP", "2020, when the virus appeared", "", "Staff Writer"],
)
def test_not_names(text):
    assert split_authors(text) == []
    assert clean_author(text) is None


# --- language ------------------------------------------------------------------------------------


def test_detect_language():
    english = "The government announced a new series of economic measures on Tuesday."
    french = "Le gouvernement a annoncé mardi une nouvelle série de mesures économiques."
    assert detect_language(english) == "en"
    assert detect_language(french) == "fr"


def test_detect_language_none_for_short_text():
    assert detect_language("Hi there") is None
    assert detect_language("") is None


def test_detect_language_needs_forty_letters():
    assert detect_language("peace " * 7 + "tide 12345 67890 ... !!!") is None  # 39 letters
    assert detect_language("peace " * 8 + "12345") is not None


def language_texts() -> list[str]:
    from tests.conftest import PEPS

    texts = [line[:4000] for line in PEPS.read_text(encoding="utf-8").splitlines()[:150]]
    for path in sorted((Path(__file__).parent.parent / "samples").rglob("*.txt")):
        texts.append(path.read_bytes().decode("utf-8", "replace"))
    texts += ["Le gouvernement a annoncé mardi une nouvelle série de mesures économiques pour les ports.",
              "Die Regierung kündigte am Dienstag neue wirtschaftliche Maßnahmen für die Häfen an.",
              "El gobierno anunció el martes una nueva serie de medidas económicas para los puertos.",
              "Правительство во вторник объявило о новых экономических мерах для портов страны.",
              "政府は火曜日、港湾のための新しい経済対策を発表した。これは大きな変化であり、多くの人々が注目している。"]
    return texts


def test_a_widened_language_model_gives_the_same_answers():
    from py3langid import langid

    from index.ingest.normalize import widen_language_model

    identifier = langid._get_identifier()
    narrow = identifier.nb_ptc
    texts = language_texts()
    before = [(detect_language(t), identifier.rank(t[:1500])[:3]) for t in texts]
    try:
        widen_language_model()
        assert identifier.nb_ptc.dtype.itemsize == 4
        after = [(detect_language(t), identifier.rank(t[:1500])[:3]) for t in texts]
    finally:
        identifier.nb_ptc = narrow
    assert after == before
    assert {language for language, _ in before} >= {"en", "fr", "de", "es", "ru", "ja"}


def test_split_authors_gives_a_new_list_each_time_and_reads_long_bylines():
    first = split_authors("Helen Carter and Raj Patel")
    first.append("Someone Else")
    assert split_authors("Helen Carter and Raj Patel") == ["Helen Carter", "Raj Patel"]
    names = [f"Author{chr(65 + i % 26)} Name{chr(65 + i // 26)}" for i in range(60)]
    long_byline = ", ".join(names)  # longer than the bylines that are remembered
    assert len(long_byline) > 500
    assert split_authors(long_byline) == names == split_authors(long_byline)
