"""Author identities: byline variants of one person ("Andrew King", "A. King", "KING, Andrew",
"Andrew J. King") suggested as one author with evidence, merged and split by a person.

A merge maps each variant to a canonical name; it is a person's decision, so it lives in the catalog
(``author_merges``) beside the records, survives re-ingest and reindex, and travels with
``folio export``. A split removes the mapping and remembers that the two names are different people
(``author_distinct``) so they are not suggested again. The index is built from canonical names, so
facets, author pages and ``author:`` queries see one person.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from index.document import now_iso
from index.errors import BadRequest
from index.schema import fold

TABLES = """
CREATE TABLE IF NOT EXISTS author_merges (
    variant   TEXT PRIMARY KEY,
    canonical TEXT NOT NULL,
    merged_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS author_merges_canonical ON author_merges(canonical);
CREATE TABLE IF NOT EXISTS author_distinct (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
"""

MAX_NAME_CHARS = 300


# -- names -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameParts:
    given: tuple[str, ...]  # folded, without dots: ("andrew", "j")
    family: str  # folded

    @property
    def initial(self) -> str:
        return self.given[0][:1] if self.given else ""


def name_parts(name: str) -> NameParts:
    """Given names and family name of a byline, in either order ("King, Andrew" or "Andrew King")."""
    text = " ".join(name.split())
    if "," in text:
        family, _, given = text.partition(",")
    else:
        words = text.split(" ")
        family, given = words[-1], " ".join(words[:-1])
    given_words = tuple(w for w in re.split(r"[\s.]+", fold(given)) if w)
    return NameParts(given_words, fold(family).strip(" ."))


def _given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """First given names agree (equal, or one is the other's initial); middle names, when both have
    them, agree the same way."""
    if not a or not b:
        return True
    for x, y in zip(a, b):
        if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def same_person_possible(a: str, b: str) -> bool:
    pa, pb = name_parts(a), name_parts(b)
    if not pa.family or pa.family != pb.family or pa.initial != pb.initial:
        return False
    if _given_compatible(pa.given, pb.given):
        return True
    # "Andrew J. King" and "Andrew King": a middle name on one side only
    return bool(pa.given and pb.given and pa.given[0] == pb.given[0])


def fullness(name: str) -> tuple:
    """How much a variant says: full given names beat initials; the most complete becomes canonical."""
    parts = name_parts(name)
    full = sum(1 for g in parts.given if len(g) > 1)
    inverted = 1 if "," in name else 0
    return (full, len(parts.given), -inverted, not name.isupper(), name)


def canonical_choice(names: Iterable[str]) -> str:
    """The most complete, naturally ordered spelling among the variants."""
    natural = [n for n in names if "," not in n] or list(names)
    return max(natural, key=lambda n: (name_parts(n).given[:1] != (), sum(len(g) > 1 for g in name_parts(n).given),
                                       -len(name_parts(n).given), not n.isupper(), n))


def clean_name(value) -> str:
    if not isinstance(value, str):
        raise BadRequest("Author names must be strings.")
    name = " ".join(value.split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise BadRequest("An author name must be between 1 and 300 characters.")
    return name


# -- suggestions -----------------------------------------------------------------------------------


@dataclass
class Suggestion:
    names: list[str]
    canonical: str
    documents: dict[str, int]
    evidence: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"names": self.names, "canonical": self.canonical, "documents": self.documents,
                "evidence": self.evidence}


@dataclass
class _Profile:
    documents: int = 0
    publications: set = field(default_factory=set)
    coauthors: set = field(default_factory=set)
    years: set = field(default_factory=set)


def _shared(profile: _Profile, others: list[_Profile]) -> int:
    return sum(len(profile.publications & o.publications) + len(profile.coauthors & o.coauthors) for o in others)


def _clusters(names: list[str], profiles: dict[str, _Profile] | None = None) -> list[list[str]]:
    """Names that may be one person: full names seed clusters, initials join the one they fit. A name
    that fits several ("A. King" beside "Andrew King" and "Alice King") joins the one it shares the
    most publications and co-authors with, and none when that does not decide."""
    profiles = profiles or {}
    ordered = sorted(names, key=lambda n: (-sum(len(g) > 1 for g in name_parts(n).given), n))
    clusters: list[list[str]] = []
    for name in ordered:
        fits = [c for c in clusters if all(same_person_possible(name, other) for other in c)]
        if len(fits) > 1 and name in profiles:
            scored = sorted(((_shared(profiles[name], [profiles[o] for o in c if o in profiles]), i)
                             for i, c in enumerate(fits)), reverse=True)
            fits = [fits[scored[0][1]]] if scored[0][0] > 0 and scored[0][0] > scored[1][0] else fits
        if len(fits) == 1:
            fits[0].append(name)
        elif not fits:
            clusters.append([name])
    return [c for c in clusters if len(c) > 1]


def _evidence(cluster: list[str], profiles: dict[str, _Profile]) -> dict[str, list[str]]:
    shared: dict[str, list[str]] = {}
    pubs = [profiles[n].publications for n in cluster]
    common_pubs = set.intersection(*pubs) if pubs else set()
    if not common_pubs:
        counts = defaultdict(int)
        for p in pubs:
            for v in p:
                counts[v] += 1
        common_pubs = {v for v, c in counts.items() if c > 1}
    if common_pubs:
        shared["publications"] = sorted(common_pubs)
    co = defaultdict(int)
    for n in cluster:
        for v in profiles[n].coauthors - set(cluster):
            co[v] += 1
    if any(c > 1 for c in co.values()):
        shared["coauthors"] = sorted(v for v, c in co.items() if c > 1)
    years = [profiles[n].years for n in cluster if profiles[n].years]
    if len(years) > 1:
        lo = max(min(y) for y in years)
        hi = min(max(y) for y in years)
        span = sorted(set().union(*years))
        shared["years"] = [span[0], span[-1]] if span else []
        if int(lo) - int(hi) > 10:  # decades apart: flag it, a reader decides
            shared["years_apart"] = [hi, lo]
    return shared


class Identities:
    def __init__(self, catalog):
        self.catalog = catalog
        self._conn().executescript(TABLES)

    def _conn(self):
        return self.catalog._connection()

    # -- reading

    def mapping(self) -> dict[str, str]:
        return dict(self._conn().execute("SELECT variant, canonical FROM author_merges"))

    def canonical(self, name: str) -> str:
        row = self._conn().execute("SELECT canonical FROM author_merges WHERE variant=?", (name,)).fetchone()
        return row[0] if row else name

    def canonical_names(self, names: list[str]) -> list[str]:
        out: list[str] = []
        for name in names:
            c = self.canonical(name)
            if c not in out:
                out.append(c)
        return out

    def all_variants(self) -> dict[str, list[str]]:
        """canonical name -> its variants, as `variants` gives them, for every person at once."""
        out: dict[str, list[str]] = {}
        for canonical, variant in self._conn().execute(
                "SELECT canonical, variant FROM author_merges ORDER BY canonical, variant"):
            out.setdefault(canonical, []).append(variant)
        return out

    def variants(self, canonical: str) -> list[str]:
        return [r[0] for r in self._conn().execute(
            "SELECT variant FROM author_merges WHERE canonical=? ORDER BY variant", (canonical,))]

    def merges(self) -> list[dict]:
        return [{"variant": v, "canonical": c, "merged_at": t} for v, c, t in self._conn().execute(
            "SELECT variant, canonical, merged_at FROM author_merges ORDER BY canonical, variant")]

    def distinct_pairs(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._conn().execute("SELECT a, b FROM author_distinct ORDER BY a, b")]

    # -- writing

    def merge(self, names: list[str], canonical: str | None = None) -> tuple[str, set[str]]:
        """Make several names one person. Returns the canonical name and every name whose documents
        need re-indexing."""
        cleaned = list(dict.fromkeys(clean_name(n) for n in names or []))
        if len(cleaned) < 2:
            raise BadRequest("Name at least two author names to merge.")
        target = clean_name(canonical) if canonical else canonical_choice(cleaned)
        target = self.canonical(target)
        affected = set(cleaned) | {target}
        now = now_iso()
        with self.catalog.transaction() as conn:
            for name in cleaned:
                old = conn.execute("SELECT canonical FROM author_merges WHERE variant=?", (name,)).fetchone()
                old_target = old[0] if old else name
                # the variants already merged into this name follow it
                followers = [r[0] for r in conn.execute(
                    "SELECT variant FROM author_merges WHERE canonical=?", (old_target,))]
                for variant in {name, old_target, *followers}:
                    affected.add(variant)
                    if variant == target:
                        conn.execute("DELETE FROM author_merges WHERE variant=?", (variant,))
                    else:
                        conn.execute("INSERT OR REPLACE INTO author_merges (variant, canonical, merged_at) "
                                     "VALUES (?,?,?)", (variant, target, now))
                conn.execute("DELETE FROM author_distinct WHERE (a=? AND b=?) OR (a=? AND b=?)",
                             (name, target, target, name))
        return target, affected

    def split(self, name: str) -> set[str]:
        """Undo a merge: ``name`` (a variant) stands for itself again; if it is a canonical name, every
        variant merged into it does. Returns the names whose documents need re-indexing."""
        name = clean_name(name)
        with self.catalog.transaction() as conn:
            row = conn.execute("SELECT canonical FROM author_merges WHERE variant=?", (name,)).fetchone()
            if row is not None:
                pairs = [(name, row[0])]
                conn.execute("DELETE FROM author_merges WHERE variant=?", (name,))
            else:
                variants = [r[0] for r in conn.execute(
                    "SELECT variant FROM author_merges WHERE canonical=?", (name,))]
                if not variants:
                    raise BadRequest(f"'{name}' is not merged with any other name.")
                pairs = [(v, name) for v in variants]
                conn.execute("DELETE FROM author_merges WHERE canonical=?", (name,))
            for a, b in pairs:
                conn.execute("INSERT OR IGNORE INTO author_distinct (a, b) VALUES (?,?)", tuple(sorted((a, b))))
        return {n for pair in pairs for n in pair}

    def restore(self, merges: list[dict], distinct: list[list[str]]) -> None:
        """Load merges and splits exactly as exported (used by ``folio import``)."""
        with self.catalog.transaction() as conn:
            for m in merges:
                conn.execute("INSERT OR REPLACE INTO author_merges (variant, canonical, merged_at) VALUES (?,?,?)",
                             (clean_name(m["variant"]), clean_name(m["canonical"]), str(m.get("merged_at") or now_iso())))
            for a, b in distinct:
                conn.execute("INSERT OR IGNORE INTO author_distinct (a, b) VALUES (?,?)", (clean_name(a), clean_name(b)))

    # -- suggesting

    def _profiles(self) -> dict[str, _Profile]:
        """Printed byline names with what the documents say about them (edits applied)."""
        profiles: dict[str, _Profile] = defaultdict(_Profile)
        for record, edits in self._conn().execute("SELECT record, edits FROM documents"):
            rec = json.loads(record)
            rec.update({k: v for k, v in json.loads(edits).items() if k in ("authors", "publication", "published")})
            authors = [a for a in rec.get("authors") or [] if a]
            for name in authors:
                p = profiles[name]
                p.documents += 1
                if rec.get("publication"):
                    p.publications.add(rec["publication"])
                p.coauthors.update(self.canonical(a) for a in authors if a != name)
                if rec.get("published"):
                    p.years.add(str(rec["published"])[:4])
        return profiles

    def suggestions(self) -> list[Suggestion]:
        """Groups of names that look like one person and are not merged (or split) yet."""
        profiles = self._profiles()
        mapping = self.mapping()
        distinct = set(self.distinct_pairs())
        people: dict[str, set[str]] = defaultdict(set)  # canonical -> printed names
        for name in profiles:
            people[mapping.get(name, name)].add(name)
        for canonical in list(people):
            people[canonical].add(canonical)
        person_profiles = {n: _merge_profiles([profiles[v] for v in people[n] if v in profiles]) for n in people}
        by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
        for canonical in people:
            parts = name_parts(canonical)
            if parts.family:
                by_key[(parts.family, parts.initial)].append(canonical)
        out = []
        for key in sorted(by_key):
            for cluster in _clusters(by_key[key], person_profiles):
                if any(tuple(sorted((a, b))) in distinct for a in cluster for b in cluster if a < b):
                    continue
                names = sorted(cluster, key=lambda n: (-fullness(n)[0], n))
                docs = {n: sum(profiles[v].documents for v in people[n] if v in profiles) for n in names}
                out.append(Suggestion(names, canonical_choice(names), docs, _evidence(names, person_profiles)))
        return out


def _merge_profiles(items: list[_Profile]) -> _Profile:
    out = _Profile()
    for p in items:
        out.documents += p.documents
        out.publications |= p.publications
        out.coauthors |= p.coauthors
        out.years |= p.years
    return out
