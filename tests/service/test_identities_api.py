"""Author identities through the real app: suggestions, merge and split need the token."""

ARTICLE = b"Harbour notes\n\nBy A. King\n\nThe boats came back to the harbour after the storm, said the board."


def upload_variant(client, auth):
    response = client.post("/api/documents", headers=auth, files={"file": ("n.txt", ARTICLE, "text/plain")},
                           data={"publication": "Liberation Road"})
    assert response.status_code == 201


def test_suggest_merge_and_split(client, auth):
    upload_variant(client, auth)
    suggestions = client.get("/api/identities/suggestions").json()["suggestions"]
    (kings,) = [s for s in suggestions if "Andrew King" in s["names"]]
    assert sorted(kings["names"]) == ["A. King", "Andrew King"]
    assert kings["evidence"]["publications"] == ["Liberation Road"]

    merged = client.post("/api/identities/merge", headers=auth, json={"names": kings["names"]})
    assert merged.status_code == 200
    assert merged.json() == {"canonical": "Andrew King", "variants": ["A. King"], "documents": 2}
    authors = {a["name"]: a["count"] for a in client.get("/api/authors").json()["authors"]}
    assert authors.get("Andrew King") == 2 and "A. King" not in authors
    assert client.get("/api/search", params={"author": "A. King"}).json()["total"] == 2
    assert client.get("/api/identities").json()["merges"][0]["variant"] == "A. King"

    split = client.post("/api/identities/split", headers=auth, json={"name": "A. King"})
    assert split.status_code == 200
    authors = {a["name"]: a["count"] for a in client.get("/api/authors").json()["authors"]}
    assert authors.get("Andrew King") == 1 and authors.get("A. King") == 1


def test_merge_needs_token_and_sensible_body(client, auth):
    refused = client.post("/api/identities/merge", json={"names": ["Andrew King", "A. King"]})
    assert refused.status_code == 401
    bad = client.post("/api/identities/merge", headers=auth, json={"names": "Andrew King"})
    assert bad.status_code == 400 and "list" in bad.json()["error"]["message"]
    one = client.post("/api/identities/merge", headers=auth, json={"names": ["Andrew King"]})
    assert one.status_code == 400
    nothing = client.post("/api/identities/split", headers=auth, json={"name": "Andrew King"})
    assert nothing.status_code == 400 and "not merged" in nothing.json()["error"]["message"]
    missing = client.post("/api/identities/split", headers=auth, json={})
    assert missing.status_code == 400
