"""What the archive knows across documents — reprint groups and author identities — kept in step
with adding, deleting and re-indexing. `Archive` mixes this in; the logic lives in
`index.reprints` and `index.identities`.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Iterable

from index.identities import Identities
from index.reprints import Reprints

log = logging.getLogger("folio.related")


class Related:
    """Mixed into `Archive` (which provides ``catalog`` and ``engine``)."""

    @cached_property
    def reprints(self) -> Reprints:
        return Reprints(self.catalog)

    def prepare_related(self) -> None:
        """Open the reprint tables when the archive opens rather than at the first upload: an older
        archive's band keys are moved then (see `Reprints`)."""
        _ = self.reprints

    @cached_property
    def identities(self) -> Identities:
        return Identities(self.catalog)

    def attach_engine(self, engine):
        """Have the index built with canonical author names and reprint groups."""
        engine.extras = self.index_extras
        engine.speller.text_of = self.title_and_text
        return engine

    def title_and_text(self, doc_id: str) -> str | None:
        doc = self.catalog.get(doc_id)
        return f"{doc.title}\n{doc.text}" if doc is not None else None

    def index_extras(self, docs: list) -> list[dict]:
        """For each of ``docs``: its authors' canonical names, every variant of them, and its reprint
        group; the merges and groups are read once for all of them (per record, five lookups were
        most of building a bulk run's index entries)."""
        variant_of, variants = self.identities.mapping(), self.identities.all_variants()
        groups = self.reprints.groups_of([doc.id for doc in docs])
        out = []
        for doc in docs:
            canonical = list(dict.fromkeys(variant_of.get(name, name) for name in doc.authors))
            out.append({"authors": canonical, "author_variants": [v for c in canonical for v in variants.get(c, ())],
                        "reprint_group": groups.get(doc.id)})
        return out

    def canonical_filters(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        """An ``author`` filter on any spelling of a person selects the person."""
        if not filters.get("author"):
            return filters
        return {**filters, "author": list(dict.fromkeys(self.identities.canonical(a) for a in filters["author"]))}

    def merge_authors(self, names: list[str], canonical: str | None = None) -> dict:
        target, affected = self.identities.merge(names, canonical)
        count = self.refresh_authors(affected)
        return {"canonical": target, "variants": self.identities.variants(target), "documents": count}

    def split_author(self, name: str) -> dict:
        affected = self.identities.split(name)
        count = self.refresh_authors(affected)
        return {"names": sorted(affected), "documents": count}

    def after_add(self, records: Iterable, defer_index: bool = False, fingerprints: dict | None = None) -> None:
        """Link new documents to their copies. The documents are stored whatever happens here: the
        groups are derived and `catch_up_reprints` (run by reindex) fills in what is missing.
        ``defer_index``: documents whose group changed are left in the journal for `index_pending`.
        ``fingerprints``: the records' fingerprints where already worked out, by id."""
        try:
            changed = self.reprints.add(records, bulk=defer_index, fingerprints=fingerprints)
        except Exception:
            log.exception("finding copies of new documents failed; 'folio reindex' retries")
            return
        if defer_index:
            self.catalog.mark_unindexed(sorted(set(changed)))
        else:
            self.refresh_index(changed)

    def after_delete(self, doc_id: str) -> None:
        self.refresh_index(self.reprints.remove(doc_id))

    def catch_up_reprints(self) -> int:
        """Fingerprint every document that has none yet (an archive from before reprints existed)."""
        missing = self.reprints.missing()
        for start in range(0, len(missing), 500):
            docs = self.catalog.get_many(missing[start:start + 500])
            self.reprints.add((docs[i] for i in missing[start:start + 500] if i in docs), bulk=True)
        self.flush_reprint_keys()
        return len(missing)

    def flush_reprint_keys(self) -> None:
        """Write the band keys bulk adds hold in memory (see `Reprints.flush_keys`)."""
        if "reprints" in self.__dict__:  # opened: it may hold some
            self.reprints.flush_keys()

    def refresh_index(self, ids: Iterable[str]) -> None:
        ids = sorted(set(ids))
        if ids:
            docs = self.catalog.get_many(ids)
            self.engine.add(list(docs.values()), timeout=600)

    def refresh_authors(self, names: set[str]) -> int:
        """Re-index the documents bylined with any of these names (after a merge or split)."""
        ids = [doc_id for doc_id, authors in self.catalog_authors() if names & set(authors)]
        self.refresh_index(ids)
        return len(ids)

    def catalog_authors(self):
        """(id, printed authors with edits applied) of every record, without loading texts."""
        import json

        for doc_id, record, edits in self.catalog._connection().execute(
                "SELECT id, json_extract(record, '$.authors'), json_extract(edits, '$.authors') FROM documents"):
            chosen = edits if edits is not None else record
            yield doc_id, json.loads(chosen) if chosen else []

    def dated_timeline(self, date: str = "published", by: str = "year", q: str = "",
                       filters: dict[str, list[str]] | None = None) -> list[tuple[str, int]]:
        """Articles per year, month or day of their publication, update or capture date."""
        from index.schema import DATE_FIELDS

        fieldname = DATE_FIELDS.get(date, DATE_FIELDS["published"]).get(by, "year")
        return self.engine.facet_counts(fieldname, q=q, filters=self.canonical_filters(filters or {}))

    def count_copies(self, hits: list) -> None:
        sizes = self.reprints.group_sizes([h.id for h in hits])
        for hit in hits:
            hit.copies = sizes.get(hit.id, 1)

    def copies(self, doc_id: str) -> tuple[str | None, list[dict]]:
        """The id of the group's original (when the metadata says, see `original_copy`) and this
        document's other copies, each with publication and dates, oldest first."""
        doc = self.get(doc_id)
        others = self.reprints.copies_of(doc_id)
        found = self.catalog.get_many(others, with_text=False)
        group = [doc] + [found[i] for i in others if i in found]
        original = original_copy(group)
        listed = sorted(group[1:], key=lambda d: (d.published or "9999", d.ingested_at, d.id))
        return original, [copy_entry(d, d.id == original) for d in listed]


def copy_entry(doc, is_original: bool) -> dict:
    return {"id": doc.id, "title": doc.title, "publication": doc.publication, "published": doc.published,
            "updated": doc.updated, "captured": doc.ingested_at, "url": doc.url,
            "original_publication": doc.original_publication, "original": is_original}


def original_copy(group: list) -> str | None:
    """The id of the copy the metadata says is the original: the one published in the publication
    another copy names as ``original_publication``. None when the metadata does not say."""
    named = {(d.original_publication or "").strip().casefold() for d in group} - {""}
    matches = [d for d in group if (d.publication or "").strip().casefold() in named]
    if not matches:
        return None
    return min(matches, key=lambda d: (d.published or "9999", d.id)).id

