"""Helpers every reader shares: decoding, whitespace, dates, author names, language.

Readers differ in how they find the pieces of an article (a ``<meta>`` tag, a PDF info dictionary, a
"By ..." line in plain text) but not in how those pieces are cleaned, so the cleaning lives here and
each reader stays about its format.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import date
from functools import lru_cache
from itertools import islice

from index.errors import Unreadable

# -------------------------------------------------------------------------------------------------
# Text
# -------------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: charset_normalizer's own cut-off for "this decoding is noise" is 0.2; we are a little stricter.
_MAX_CHAOS = 0.15

#: Legacy encodings close in score are often indistinguishable on short Western text; the web's most
#: common one wins such ties instead of whatever the detector happened to list first.
_PREFERRED_LEGACY = ("cp1252", "iso8859_15", "latin_1")


def decode_text(data: bytes, name: str = "The file") -> str:
    """Bytes to clean text: a BOM decides, then UTF-8, then a confident charset detection.

    A wrong guess silently corrupts every accented letter of an article, so a detection that is not
    confident is refused with `Unreadable` rather than accepted.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return clean_text(data[len(bom):].decode(encoding))
            except UnicodeDecodeError:
                raise Unreadable(f"{name} starts like {encoding} text but is not valid {encoding}.")
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    text = _detect_and_decode(data)
    if text is None:
        raise Unreadable(f"{name} is not valid text in any encoding we could detect.")
    return clean_text(text)


def _detect_and_decode(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data) if m.chaos <= _MAX_CHAOS]
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= best + 0.02]
    for preferred in _PREFERRED_LEGACY:
        for match in close:
            if match.encoding == preferred:
                return str(match)
    text = str(close[0])
    return text if _mostly_printable(text) else None


def _mostly_printable(text: str) -> bool:
    if not text:
        return False
    odd = sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t"
    )
    return odd / len(text) < 0.01


_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\x0b|\x0c|\x85")
_BLANK_LINES = re.compile(r"\n\n\n+")  # written out, the expression is found by its prefix: 15 times faster
#: Invisible characters that break word matching but carry no meaning in an article.
_INVISIBLE = {"\ufeff", "\u200b", "\u2060"}
#: Control characters (category Cc) other than newline and tab, and the invisible ones above.
_UNWANTED_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(_INVISIBLE)) + "]")


def clean_text(s: str) -> str:
    """NFC, ``\\n`` line breaks, no control characters or trailing spaces, <= 1 blank line."""
    s = unicodedata.normalize("NFC", s)
    s = _LINE_BREAKS.sub("\n", s)
    s = _UNWANTED_CHARS.sub("", s)
    s = "\n".join([line.rstrip() for line in s.split("\n")])  # no trailing spaces, blank lines empty
    s = _BLANK_LINES.sub("\n\n", s)
    return s.strip()


# -------------------------------------------------------------------------------------------------
# Dates
# -------------------------------------------------------------------------------------------------

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    # English, French, German, Spanish, Italian, Portuguese: full names and usual abbreviations,
    # written without accents because matching happens on accent-folded text.
    1: ("january", "jan", "janvier", "janv", "januar", "janner", "enero", "ene", "gennaio",
        "janeiro"),
    2: ("february", "feb", "fevrier", "fevr", "fev", "februar", "febrero", "febbraio", "fevereiro"),
    3: ("march", "mar", "mars", "marz", "maerz", "marzo", "marco"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio"),
    6: ("june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho"),
    7: ("july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"),
    8: ("august", "aug", "aout", "agosto", "ago"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "setembro",
        "set"),
    10: ("october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro",
         "out"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "decembre", "dezember", "dez", "diciembre", "dic", "dicembre",
         "dezembro"),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}

#: Abbreviations that are also common English words ("sold out 2020") only count next to a day.
_WORDLIKE_MONTHS = {"out", "set", "gen", "mag"}

_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag "
    "lunes martes miercoles jueves viernes sabado domingo "
    "lunedi martedi mercoledi giovedi venerdi sabato domenica "
    "segunda terca quarta quinta sexta feira"
).split()

#: Words allowed around a date in a line that is "just a date" ("le 30 avril", "on April 30").
_DATE_FILLERS = "on the of le den am de del el il em dated date".split()


def _alternation(names) -> str:
    return "|".join(sorted(names, key=len, reverse=True))


_MONTH_ANY = rf"(?P<month>{_alternation(_MONTHS)})\.?"
_MONTH_SAFE = rf"(?P<month>{_alternation(set(_MONTHS) - _WORDLIKE_MONTHS)})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|eme|o|º|ª|°)?\.?"
_YEAR = r"(?P<year>\d{4})"

_DATE_PATTERNS = [
    # 2020-04-30, 2020-04-30T10:00:00Z, 2020/04/30, 2020-04
    re.compile(
        r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?:(?P=sep)(?P<day>\d{1,2}))?"
        r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?)?(?![\d])"
    ),
    # 30/04/2020, 04/30/2020, 30.04.2020
    re.compile(
        r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\d)"
    ),
    # 30 April 2020, 30. April 2020, 30 de abril de 2020, 1er mai 2020, 30th of April, 2020
    re.compile(rf"\b{_DAY}\s*(?:of\s+|de\s+)?{_MONTH_ANY},?\s+(?:de\s+|del\s+)?{_YEAR}\b"),
    # April 30, 2020, Apr. 30 2020, April 30th, 2020
    re.compile(rf"\b{_MONTH_ANY}\s*{_DAY},?\s+{_YEAR}\b"),
    # April 2020, avril 2020, abril de 2020
    re.compile(rf"\b{_MONTH_SAFE},?\s+(?:de\s+|del\s+)?{_YEAR}\b"),
]

_TIME = re.compile(
    r"\b(?:at\s+|um\s+|a\s+|à\s+|às\s+|alle\s+)?\d{1,2}(?::\d{2}){1,2}(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:h|uhr))?(?:\s*\(?[a-z]{2,5}\)?)?|\b\d{1,2}\s*[ap]\.?m\.?\b"
)
_TZ_WORDS = "utc gmt edt est cdt cst mdt mst pdt pst bst cet cest et pt".split()


def _fold(s: str) -> str:
    """Lower-case and accent-free, one character per character so spans map back to ``s``."""
    out = []
    for ch in s:
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        out.append(low if len(low) == 1 else base)
    return "".join(out)


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    """The ISO form of a (possibly partial) date, or None when the date cannot exist."""
    if not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _from_match(m: re.Match) -> str | None:
    groups = m.groupdict()
    year = int(groups["year"])
    if "a" in groups and groups.get("a") is not None:
        a, b = int(groups["a"]), int(groups["b"])
        # Day first when only that reading works (30/04); otherwise month before day, the order ISO
        # dates use, so 04/05/2020 is read as April 5th.
        month, day = (b, a) if a > 12 else (a, b)
        return _iso(year, month, day)
    month_text = groups["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.rstrip(".")]
    day = int(groups["day"]) if groups.get("day") else None
    return _iso(year, month, day)


def find_date(s: str) -> tuple[str, tuple[int, int]] | None:
    """The first date written inside ``s`` as ``(iso, (start, end))``, or None.

    A bare year is not looked for here: in a running sentence "2016" is rarely a publication date.
    Text that reads as an impossible date ("February 30, 2020") is not re-read as a smaller one.
    """
    folded = _fold(s or "")
    found: list[tuple[int, int, str]] = []
    blocked: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(folded):
            start, end = m.span()
            if any(start < b_end and b_start < end for b_start, b_end in blocked):
                continue
            iso = _from_match(m)
            blocked.append((start, end))
            if iso:
                found.append((start, end, iso))
    if not found:
        return None
    start, end, iso = min(found, key=lambda f: (f[0], -(f[1] - f[0])))
    return iso, (start, end)


#: a date already in ISO form (what records mostly give), read without looking for other forms
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
#: words a line that is just a date may have around it
_DATE_NOISE = frozenset(_WEEKDAYS) | frozenset(_DATE_FILLERS) | frozenset(_TZ_WORDS)


def parse_date(s: str) -> str | None:
    """A string that is just a date (weekday, time and zone allowed) to ISO, partial dates kept."""
    if not s or not s.strip():
        return None
    text = s.strip()
    if re.fullmatch(r"\d{4}", text):
        return _iso(int(text), None, None)
    iso_form = _ISO_DATE.fullmatch(text)
    if iso_form:  # the answer `find_date` gives, in a twentieth of the time
        year, month, day = iso_form.groups()
        return _iso(int(year), int(month), int(day) if day else None)
    hit = find_date(text)
    if hit is None:
        return None
    iso, (start, end) = hit
    rest = _fold(text[:start] + " " + text[end:])
    rest = _TIME.sub(" ", rest)
    words = re.findall(r"[^\W_]+", rest)
    if any(word not in _DATE_NOISE for word in words):
        return None
    return iso


# -------------------------------------------------------------------------------------------------
# Authors
# -------------------------------------------------------------------------------------------------

_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|words|reported|text|story|posted|edited)\s+by|by|par|von|por|di|"
    r"authors?\s*:|writers?\s*:|byline\s*:)\s*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|io|co\.uk)\b", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: "X is a lecturer at ...", "X, a staff writer": the name ends where the description starts.
_DESCRIPTION = re.compile(
    r"(?:,\s*|\s+)(?:(?:is|was|are)\s+(?:also\s+|currently\s+|now\s+)?(?:a|an|the|our)\b"
    r"|writes|teaches|covers|reports)\b.*$|,\s+(?:a|an|the)\s+.*$",
    re.IGNORECASE,
)
_ROLES = (
    r"(?:senior\s+|chief\s+|contributing\s+|special\s+|associate\s+|managing\s+|guest\s+"
    r"|foreign\s+)*"
    r"(?:staff\s+writer|staff\s+reporter|staff|writer|reporter|correspondent|contributor|columnist|"
    r"editor|journalist|photographer|author|associated\s+press|the\s+associated\s+press|ap|"
    r"reuters|afp|"
    r"bloomberg|wire\s+services?)"
)
_TRAILING_ROLE = re.compile(rf"(?:[\s,;|–—-]+{_ROLES})+\s*$", re.IGNORECASE)
_TRAILING_ORG = re.compile(r"\s+(?:for|of|at)\s+(?:the\s+)?[A-Z].*$")
_SEPARATORS = re.compile(r"\s*(?:;|&|\band\b|\bund\b|\bet\b|\+)\s*", re.IGNORECASE)
#: Lower-case words that belong inside names ("Juan de la Cruz", "Ludwig van Beethoven").
_PARTICLES = {"de", "la", "le", "du", "des", "da", "das", "do", "dos", "di", "del", "della", "van",
              "von", "der", "den", "ter", "ten", "bin", "ibn", "al", "el", "y", "e", "zu", "af"}
_NOT_NAMES = {
    "staff", "admin", "administrator", "editor", "editors", "guest", "anonymous", "unknown", "ap",
    "afp", "reuters", "the", "team", "newsroom", "contributor", "author", "by",
}
#: A byline name has a given name and a surname at least; five words is already a long name.
_MIN_NAME_WORDS = 2
_MAX_NAME_WORDS = 5
#: Words that turn up in sentences but never in names; they give away "by 2020, when the virus ...".
_FUNCTION_WORDS = set(
    "the a an of in on at to for with from when where while what which who how why is was are "
    "were be been has have had it its this that these those we you he she they i our your their "
    "his her not no but or if so as than then there here all any some more most very just also"
    .split()
)


#: Words that name organisations, never people; surnames that are also such words ("Post",
#: "Herald") are left out on purpose.
_ORGANISATION_WORDS = set(
    "gazette news newspaper journal tribune magazine university universidad université universität "
    "institute institut college department school centre center agency ministry council inc ltd llc "
    "gmbh group foundation society association company corporation laboratory lab team desk staff"
    .split()
)


def split_authors(s: str) -> list[str]:
    """All the people named in a byline, cleaned, in order, without duplicates.

    Handles "X and Y", "X, Y and Z", "X & Y", "X, Y, and Z", the catalogue form "King, Andrew" and
    lists of it ("Carter, Helen; Patel, Raj").
    Anything that does not look like a person's name yields nothing rather than a wrong author.
    """
    if not s or not s.strip():
        return []
    return list(_remembered_byline(s) if len(s) <= 500 else _split_byline(s))


def _split_byline(s: str) -> tuple[str, ...]:
    text = _strip_byline_noise(s)
    names: list[str] = []
    parts = [p.strip(" ,") for p in _SEPARATORS.split(text) if p.strip(" ,")]
    # "Carter, Helen; Patel, Raj": a list of catalogue names, one comma in every part.
    catalogue = len(parts) > 1 and all(p.count(",") == 1 for p in parts)
    for part in parts:
        if _is_inverted_name(part, whole=part if catalogue else text):
            last, first = [p.strip() for p in part.split(",")]
            candidates = [f"{first} {last}"]
        else:
            candidates = part.split(",")
        for candidate in candidates:
            name = clean_author(candidate)
            if name is None and not names:
                return ()  # "By 2020, when ...": a byline that does not start with a name is prose
            if name and name not in names:
                names.append(name)
    return tuple(names)


#: the same bylines come again and again in a bulk ingest (a tenth of reading a record went on them)
_remembered_byline = lru_cache(maxsize=20_000)(_split_byline)


def _strip_byline_noise(s: str) -> str:
    """Remove what surrounds names in a byline: prefix, e-mails, brackets, dates, roles."""
    text = " ".join(s.split())
    text = _BY_PREFIX.sub("", text)
    text = _EMAIL.sub(" ", text)
    text = _PARENS.sub(" ", text)
    hit = find_date(text)
    while hit:
        _, (start, end) = hit
        text = text[:start] + " " + text[end:]
        hit = find_date(text)
    text = re.sub(r"\s*[|•·]\s*.*$", "", text)  # "X | Politics": what follows a bar is not a name
    text = re.sub(r"\b(?:posted|published|updated)\b.*$", "", text, flags=re.IGNORECASE)
    text = _DESCRIPTION.sub("", text)
    text = _TRAILING_ROLE.sub("", text)
    return " ".join(text.split()).strip(" ,;:-–—")


def _is_inverted_name(part: str, whole: str) -> bool:
    """"King, Andrew": one comma, a one-word surname before it, one to three given names after."""
    if part.count(",") != 1 or whole.count(",") != 1:
        return False
    last, first = (p.strip() for p in part.split(","))
    return len(last.split()) == 1 and 1 <= len(first.split()) <= 3 and not _ROLE_ONLY.match(first)


_ROLE_ONLY = re.compile(rf"^{_ROLES}$", re.IGNORECASE)


def clean_author(s: str) -> str | None:
    """One person's name, tidied, or None when ``s`` is not a plausible name."""
    if not s:
        return None
    text = _strip_byline_noise(s)
    text = _TRAILING_ORG.sub("", text)
    if _is_inverted_name(text, whole=text):
        last, first = (p.strip() for p in text.split(","))
        text = f"{first} {last}"
    text = text.strip(" ,;:-–—'\"“”‘’")
    if not _looks_like_name(text):
        return None
    if text.isupper() or text.islower():
        text = _title_case_name(text)
    return text


def _looks_like_name(text: str) -> bool:
    if not text or _URL.search(text) or re.search(r"\d|[@/\\:?!<>=#*]", text):
        return False
    words = text.split()
    if not _MIN_NAME_WORDS <= len(words) <= _MAX_NAME_WORDS:
        return False
    if text.lower() in _NOT_NAMES or all(w.lower().strip(".") in _NOT_NAMES for w in words):
        return False
    if not all(re.fullmatch(r"[^\W\d_][\w.'’-]*", w) for w in words):
        return False
    if any(w.lower() in _FUNCTION_WORDS for w in words):
        return False
    if any(w.lower().strip(".") in _ORGANISATION_WORDS for w in words):
        return False  # "Jo Baxter, Harbour Gazette": the affiliation is not a second author
    if text.isupper() or text.islower():
        return True
    # Mixed case: every word is capitalised except name particles ("de la Cruz").
    return all(w[0].isupper() or w.lower() in _PARTICLES for w in words) and words[-1][0].isupper()


_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x)$", re.IGNORECASE)


def _title_case_name(text: str) -> str:
    """"ANDREW O'BRIEN-MCDONALD" -> "Andrew O'Brien-McDonald"; particles stay lower-case inside."""
    words = []
    for i, word in enumerate(text.split()):
        low = word.lower()
        if i > 0 and low in _PARTICLES:
            words.append(low)
        elif _ROMAN.match(word) and i > 0:
            words.append(word.upper())
        else:
            words.append(re.sub(r"[^\W\d_]+", _cap_piece, low))
    return " ".join(words)


def _cap_piece(m: re.Match) -> str:
    piece = m.group(0)
    if piece.startswith("mc") and len(piece) > 2:
        return "Mc" + piece[2:].capitalize()
    return piece.capitalize()


# -------------------------------------------------------------------------------------------------
# Language
# -------------------------------------------------------------------------------------------------

#: Below this many letters a language guess is mostly noise.
_MIN_LETTERS_FOR_LANGUAGE = 40
#: The first 1,500 characters decide the language as well as the whole text, at a fraction of the cost
#: (the same answer for all 767 PEPs and sample files as 4,000 characters, 3.4 times faster).
_LANGUAGE_SAMPLE = 1_500


_LETTERS = re.compile(r"[^\W\d_]")


def widen_language_model() -> None:
    """For a process that tells the language of many texts (a reader of a bulk ingest). py3langid
    keeps its table of feature weights in 16-bit floats and widens the rows a text uses to 32 bits
    for every text, about a third of its time. Widened once here, the table takes 57 MB instead of
    28, and each answer is the same, a third sooner."""
    import numpy as np
    from py3langid import langid

    identifier = langid._get_identifier()
    if identifier.nb_ptc.dtype != np.float32:
        identifier.nb_ptc = identifier.nb_ptc.astype(np.float32)


def language_sample(text: str) -> str | None:
    """The part of a text its language is told from; None when it has too few letters to tell."""
    if not text:
        return None
    sample = text[:_LANGUAGE_SAMPLE]
    if next(islice(_LETTERS.finditer(sample), _MIN_LETTERS_FOR_LANGUAGE - 1, None), None) is None:
        return None  # fewer letters than that (counted only as far as needed)
    return sample


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell
    (`index.ingest.languages` tells many texts' at once)."""
    sample = language_sample(text)
    if sample is None:
        return None
    import py3langid

    language, _score = py3langid.classify(sample)
    return language or None
