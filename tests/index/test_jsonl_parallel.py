"""Reading a long JSON Lines file in several processes gives the same records, problems and order
as reading it in one."""

from __future__ import annotations

import json

from index.ingest.jsonl import PARALLEL_LINES, read_records
from tests.conftest import PEPS


def long_file() -> bytes:
    """PEPs, each several times with a different title (so different records), some lines broken."""
    peps = [json.loads(line) for line in PEPS.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = []
    for copy in range(PARALLEL_LINES // len(peps) + 2):
        for n, pep in enumerate(peps):
            if n % 97 == 5:
                lines.append(b'{"title": "broken", "text": ')  # not valid JSON
            elif n % 89 == 7:
                lines.append(json.dumps({"title": f"empty {copy} {n}", "text": "   "}).encode())
            else:
                lines.append(json.dumps({**pep, "title": f"{pep.get('title', '')} ({copy})"}).encode())
        lines.append(b"")
    return b"\n".join(lines)


def comparable(found):
    return [(line, doc and {**doc.to_dict(), "ingested_at": None}, problem) for line, doc, problem in found]


def test_processes_read_what_one_process_reads():
    data = long_file()
    alone = comparable(read_records(data, "long.jsonl", workers=1))
    together = comparable(read_records(data, "long.jsonl", workers=2))
    assert len(alone) > PARALLEL_LINES
    assert together == alone
    problems = [problem for _, doc, problem in alone if doc is None]
    assert any("line 6: not valid JSON" in p for p in problems)
    assert any("line 8: The record has no text" in p for p in problems)
