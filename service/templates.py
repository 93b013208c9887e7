"""The Jinja2 environment of the web UI (autoescaping on, so all text is escaped)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi.templating import Jinja2Templates

from ui import TEMPLATES_DIR


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True
    env.filters["urlpath"] = lambda s: quote(str(s), safe="")
    env.globals["urlencode"] = lambda pairs: urlencode(pairs, doseq=True)
    return templates
