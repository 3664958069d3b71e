"""LaTeX text <-> Unicode for BibTeX and BibLaTeX fields (pylatexenc), with fast paths.

Most field values are plain ASCII words; only values holding a LaTeX special character go
through pylatexenc, which keeps import within a small factor of a bare parse.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

# What classic BibTeX and LaTeX treat specially in a field value.
SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIALS_RE = re.compile(r"[\\{}&%$#_~^]")
_NEEDS_DECODING = re.compile(r"[\\{}~$%&]|--|``|''")
_DOTLESS = re.compile(r"\\(['`^\"~=.])\\i(?![A-Za-z])")
_SPACES = re.compile(r"[ \t\r\n]+")
# Pairs LaTeX turns into dashes and quotes: "--" -> en dash, "``" -> left quote.
_LIGATURES = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')")


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "phbrefs",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            # pylatexenc gives the spacing modifier letters; a user typed the ASCII characters.
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("textasciitilde", simplify_repl="~"),
            *(
                MacroTextSpec(name, simplify_repl="%s")
                for name in ("texttt", "textsf", "textrm", "textsc", "textup", "textmd", "mbox")
            ),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", strict_latex_spaces=True)


@lru_cache(maxsize=1)
def _encoder() -> UnicodeToLatexEncoder:
    return UnicodeToLatexEncoder(
        non_ascii_only=False,
        replacement_latex_protection="braces-almost-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def needs_decoding(value: str) -> bool:
    return _NEEDS_DECODING.search(value) is not None


def to_text(value: str) -> str:
    """A field's LaTeX as Unicode text: accents, commands, dashes and braces resolved."""
    if not needs_decoding(value):
        return _squeeze(value)
    text = _quick_text(value)
    if text is None:
        text = _decoder().latex_to_text(value)
    return _squeeze(text)


def _squeeze(text: str) -> str:
    """Runs of spaces, tabs and newlines as one space, stripped (the regex only when needed:
    most values have none)."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


# The LaTeX that BibTeX files mostly hold (escaped specials, accents, dashes, grouping braces),
# decoded exactly as pylatexenc would but without its parser; anything else goes to pylatexenc.
_ESCAPES = {
    "\\&": "&",
    "\\%": "%",
    "\\$": "$",
    "\\#": "#",
    "\\_": "_",
    "\\{": "\x00",  # literal braces survive the removal of grouping braces
    "\\}": "\x01",
    "\\textbackslash{}": "\x02",
    "\\textasciitilde{}": "\x03",
    "\\textasciicircum{}": "^",
}
_PLACEHOLDERS = str.maketrans({"\x00": "{", "\x01": "}", "\x02": "\\", "\x03": "~"})
_PLACEHOLDER_RE = re.compile("[\x00-\x03]")  # str.translate is slow on long abstracts
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_ACCENT_RE = re.compile(
    r"\{?\\(?:(['`^\"~=.])\s*\{?\s*([A-Za-z]|\\[ij](?![A-Za-z]))\s*\}?"
    r"|([uvHckrdb])(?:\s*\{\s*([A-Za-z]|\\[ij](?![A-Za-z]))\s*\}|\s+([A-Za-z])))\}?"
)
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "i": "ı",
    "j": "ȷ",
}
_LETTER_RE = re.compile(r"\{?\\(ss|o|O|l|L|ae|AE|oe|OE|aa|AA|i|j)(?![A-Za-z])(?:\{\}|\s*)\}?")
_DASHES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("~", "\u00a0"))


# Argument-less text macros as pylatexenc writes them: {\textendash}, \textdegree{}
_SYMBOL_RE = re.compile(r"\{\\ensuremath\{\\[A-Za-z]+\}\}|\{\\[A-Za-z]+\}|\\[A-Za-z]+\{\}")


@lru_cache(maxsize=1024)
def _symbol(latex: str) -> str:
    """What pylatexenc makes of one macro alone; unknown macros stay as written."""
    decoded = _decoder().latex_to_text(latex)
    return decoded if decoded and "\\" not in decoded else latex


def _accent(match: re.Match[str]) -> str:
    mark, letter = (
        match.group(1) or match.group(3),
        match.group(2) or match.group(4) or match.group(5),
    )
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def _quick_text(value: str) -> str | None:
    if "$" in value.replace("\\$", "") or "%" in value.replace("\\%", ""):
        return None  # math, comments: pylatexenc
    text = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], value)
    if "\\" in text:
        text = _ACCENT_RE.sub(_accent, text)
        text = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], text)
        text = _SYMBOL_RE.sub(lambda m: _symbol(m.group(0)), text)
        if "\\" in text:
            return None
    if text.count("{") != text.count("}"):
        return None
    for latex, char in _DASHES:
        text = text.replace(latex, char)
    text = text.replace("{", "").replace("}", "")
    return text.translate(_PLACEHOLDERS) if _PLACEHOLDER_RE.search(text) else text


def escape_specials(text: str) -> str:
    """Only the characters LaTeX treats specially escaped (BibLaTeX with biber is UTF-8)."""
    escaped = _SPECIALS_RE.sub(lambda match: SPECIALS[match.group(0)], text)
    return _LIGATURES.sub("{}", escaped)


@lru_cache(maxsize=4096)
def _char_to_latex(char: str) -> str:
    """One non-ASCII character as LaTeX when LaTeX has an exact spelling for it (pylatexenc
    approximates some, such as Ħ as H with a macron: those stay as UTF-8)."""
    encoded = _encoder().unicode_to_latex(char)
    # {\'\i} (dotless i) renders badly outside LaTeX (pandoc); {\'i} means the same to LaTeX.
    encoded = _DOTLESS.sub(r"\\\1i", encoded)
    return encoded if encoded != char and to_text(encoded) == char else char


def to_latex(text: str) -> str:
    """Unicode text as LaTeX for classic BibTeX: specials escaped, accents as commands."""
    escaped = escape_specials(text)
    if escaped.isascii():
        return escaped
    return "".join(ch if ch.isascii() else _char_to_latex(ch) for ch in escaped)


# babel's names where they are not the language's English name in lower case (babel manual).
_BABEL_NAMES = {
    "en": "english",
    "en-GB": "british",
    "en-US": "american",
    "en-AU": "australian",
    "en-CA": "canadian",
    "en-NZ": "newzealand",
    "de": "ngerman",
    "de-AT": "naustrian",
    "de-CH": "nswissgerman",
    "pt-BR": "brazilian",
    "fr-CA": "canadien",
    "nb": "norsk",
    "no": "norsk",
    "nn": "nynorsk",
    "el": "greek",
    "sl": "slovene",
}


def babel_language(tag: str) -> str:
    """The babel language name for a BCP 47 tag (``en-GB`` -> ``british``), what biblatex's
    ``langid`` and babel's hyphenation need; a value that is no tag is returned unchanged."""
    if tag in _BABEL_NAMES:
        return _BABEL_NAMES[tag]
    import langcodes

    try:
        language = langcodes.Language.get(tag)
    except ValueError:
        return tag
    if not language.is_valid() or not language.language:
        return tag
    base = language.language
    if base in _BABEL_NAMES:
        return _BABEL_NAMES[base]
    name = language.language_name("en").lower()
    return name if name.isalpha() and name.isascii() else tag
