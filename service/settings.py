"""All settings in one place, read from ``FOLIO_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLIO_", extra="ignore")

    data: Path = Path("./data")
    #: write token; when unset one is generated on first start and kept in the data directory
    token: str | None = None
    max_upload_mb: float = 50.0
    #: articles loaded into an empty archive on first start
    seeds: Path | None = REPO_SEEDS
    #: every page and API call needs the token (or a login session)
    private: bool = False
    #: parsing one file runs in a child process with these limits
    parse_timeout: float = 30.0
    parse_memory_mb: int = 1024
    host: str = "127.0.0.1"
    port: int = 8000
    #: `folio serve` processes; searches spread over them (writes take turns on the index lock)
    workers: int = 1

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
