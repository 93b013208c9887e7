"""Checks that a page Folio rendered cannot run anything a document brought with it."""

from __future__ import annotations

from html.parser import HTMLParser

def allowed_script(src: str | None) -> bool:
    """Folio's own scripts: files under /static, never inline."""
    return bool(src) and src.startswith("/static/") and src.endswith(".js") and ".." not in src


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not allowed_script(attrs.get("src")):
            self.problems.append(f"script tag {attrs}")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"event attribute {name}={value!r} on <{tag}>")
            if value and name in ("href", "src", "action", "formaction", "xlink:href") \
                    and value.strip().lower().startswith(("javascript:", "data:text/html", "vbscript:")):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and value and "javascript:" in value.lower():
                self.problems.append(f"style with script on <{tag}>")


def active_content(page: str) -> list[str]:
    """Every script, event handler or script URL in the page other than Folio's own script."""
    collector = _Collector()
    collector.feed(page)
    return collector.problems
