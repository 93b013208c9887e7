"""The record's dict form: every field, lists copied, so changing the dict leaves the record alone."""

import dataclasses

from index.document import Document


def test_to_dict_gives_every_field_with_its_lists_copied():
    doc = Document(id="0123456789abcdef", title="Notes", authors=["Andrew King"], tags=["peace"],
                   sections=["One"], pages=2, needs_ocr=True, published="2020-04-30")
    data = doc.to_dict()
    assert data == dataclasses.asdict(doc)
    data["authors"].append("Someone Else")
    data["tags"].clear()
    assert doc.authors == ["Andrew King"] and doc.tags == ["peace"]
    assert "text" not in doc.to_dict(with_text=False)
    assert Document.from_dict(doc.to_dict()) == doc


def test_from_dict_leaves_out_keys_that_are_not_fields():
    doc = Document(id="0123456789abcdef", title="Notes", authors=["Andrew King"])
    data = doc.to_dict() | {"created": True, "score": 3.5}
    assert Document.from_dict(data) == doc
    assert Document.from_dict({"id": doc.id, "title": "Notes", "authors": ["Andrew King"]}) == doc


def test_a_summary_is_the_whole_texts_first_words_however_the_text_is_spaced():
    import random

    from index.document import make_summary

    def of_whole_text(text: str, limit: int = 300) -> str:
        flat = " ".join(text.split())
        if len(flat) <= limit:
            return flat
        return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"

    rng = random.Random(3)
    spaces = [" ", "  ", "\n", "\n\n", "\t", " \n "]
    for _ in range(400):
        words = ["".join(rng.choice("abcdefgh,;:") for _ in range(rng.choice([1, 3, 8, 40, 400])))
                 for _ in range(rng.randrange(0, 120))]
        text = rng.choice(["", " ", "\n"]) + "".join(w + rng.choice(spaces) for w in words)
        for limit in (300, 20):
            assert make_summary(text, limit) == of_whole_text(text, limit)


def test_now_is_the_current_second_in_utc_iso_form():
    from datetime import datetime, timezone

    from index.document import now_iso

    before = datetime.now(timezone.utc).replace(microsecond=0)
    stamps = [now_iso() for _ in range(1000)]
    after = datetime.now(timezone.utc).replace(microsecond=0)
    assert stamps == sorted(stamps) and stamps[0].endswith("+00:00")
    assert all(before <= datetime.fromisoformat(stamp) <= after for stamp in stamps)
