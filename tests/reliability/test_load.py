"""A short run of the load test: 8 uploaders and 32 searchers against a real server for 12 s.
(The full 60 s / 10,000-document run is `python -m tests.reliability.loadtest`.)"""

from tests.reliability.loadtest import run


def test_load_holds_without_errors_or_lost_uploads(tmp_path):
    result = run(tmp_path / "data", documents=1000, duration=12, uploaders=8, searchers=32)
    print(result)
    assert result["errors"] == 0, result["error_samples"]
    assert result["uploads_acknowledged"] > 0 and result["searches"] > 0
    assert result["lost_uploads"] == []
    assert result["catalog_and_index_agree"]
    assert result["records"] == 1000 + result["uploads_acknowledged"]
