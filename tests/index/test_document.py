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
