"""Templates and static files of the web UI (no logic here)."""

from pathlib import Path

UI_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = UI_DIR / "templates"
STATIC_DIR = UI_DIR / "static"
