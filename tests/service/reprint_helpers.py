"""The seed article republished: the copy Massachusetts Peace Action ran first."""

from tests.conftest import SEED


def original_copy_bytes() -> bytes:
    """The seed's text under the original publisher's header, without the reprint note."""
    paragraphs = SEED.read_text(encoding="utf-8").split("\n\n")
    body = "\n\n".join(p for p in paragraphs[2:] if not p.startswith("This article was originally written"))
    header = ("Massachusetts Peace Action\n\nCuba's Internationalist Response to COVID-19\n\n"
              "By Andrew King | April 30, 2020\n\n")
    return (header + body).encode("utf-8")


def upload_original(client, auth) -> str:
    response = client.post("/api/documents", headers=auth,
                           files={"file": ("mpa.txt", original_copy_bytes(), "text/plain")},
                           data={"publication": "Massachusetts Peace Action", "published": "2020-04-30"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def seed_id(client) -> str:
    hits = client.get("/api/search", params={"q": "interferon", "all_copies": "1"}).json()["hits"]
    ids = [h["id"] for h in hits if h["publication"] == "Liberation Road"]
    assert len(ids) == 1
    return ids[0]
