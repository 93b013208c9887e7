"""The timeline API switches between published, updated and captured dates."""


def test_timeline_by_each_date(client):
    published = client.get("/api/timeline").json()
    assert published["date"] == "published" and published["buckets"] == [{"value": "2020", "count": 1}]
    captured = client.get("/api/timeline", params={"date": "captured"}).json()
    assert len(captured["buckets"]) == 1 and captured["buckets"][0]["value"] >= "2025"
    year = captured["buckets"][0]["value"]
    months = client.get("/api/timeline", params={"date": "captured", "by": "month", "year": year}).json()
    assert months["buckets"][0]["value"].startswith(year)
    assert client.get("/api/timeline", params={"date": "updated"}).json()["buckets"] == []
    assert client.get("/api/search", params={"captured": year}).json()["total"] == 1


def test_unknown_date_kind_is_refused(client):
    response = client.get("/api/timeline", params={"date": "yesterday"})
    assert response.status_code == 422
    assert "date" in response.json()["error"]["message"]
