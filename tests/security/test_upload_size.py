"""A 2 GB upload is refused by its Content-Length before any of it is read (real server, raw socket)."""

from __future__ import annotations

import socket

from tests.reliability.server import Server

TOKEN = "size-token-0123456789"


def raw_post(server: Server, headers: dict[str, str], body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode() + body)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b"}" in chunk:
                break
        return b"".join(chunks)


def test_two_gigabyte_upload_is_refused_before_it_is_read(tmp_path):
    with Server(tmp_path / "data", TOKEN) as server:
        # only the headers and 1 KB are ever sent: an answer proves nothing waited for the body
        reply = raw_post(server, {"Authorization": f"Bearer {TOKEN}", "Content-Type": "multipart/form-data; boundary=x",
                                  "Content-Length": str(2 * 1024 ** 3)}, b"--x\r\n" + b"a" * 1024)
        status_line = reply.split(b"\r\n", 1)[0]
        assert b" 413 " in status_line, reply[:300]
        assert b"larger than the limit" in reply
        # and without the token it is refused just the same, still without reading
        reply = raw_post(server, {"Content-Type": "multipart/form-data; boundary=x",
                                  "Content-Length": str(2 * 1024 ** 3)}, b"--x\r\n")
        assert reply.split(b"\r\n", 1)[0].split()[1] in (b"401", b"413")


def test_body_larger_than_announced_limit_without_content_length_is_cut_off(tmp_path):
    with Server(tmp_path / "data", TOKEN, env={"FOLIO_MAX_UPLOAD_MB": "1"}) as server:
        chunk = b"a" * (256 * 1024)
        body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(12)) + b"0\r\n\r\n"
        reply = raw_post(server, {"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked",
                                  "Content-Type": "multipart/form-data; boundary=x"}, body)
        assert reply.split(b"\r\n", 1)[0].split()[1] in (b"413", b"400"), reply[:300]
