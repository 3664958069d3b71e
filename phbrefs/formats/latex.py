"""LaTeX text <-> Unicode for BibTeX and BibLaTeX fields.

Decoding is a table-driven scanner for the LaTeX that reference managers write (Zotero's
``{\\textless}``, JabRef's ``$<$``, Mendeley's ``{\\"{u}}``, escaped specials, accents, dashes,
``\\url{}``, formatting commands); pylatexenc's full parser costs about a hundred times more per
value and drops macros it does not know, so it is kept for the rare macros it knows and the
tables do not, and for math. Whatever neither knows is kept as written: nothing is dropped.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

from phbrefs.controls import strip_controls

# pylatexenc logs a warning for each macro it cannot substitute; the value is then kept.
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
logging.getLogger("pylatexenc").propagate = False

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
_NEEDS_ESCAPING = re.compile(r"[\\{}&%$#_~^]|--|``|''")  # a special or a ligature pair
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
            *(MacroTextSpec(name, simplify_repl=char) for name, char in SYMBOLS.items()),
            *(MacroTextSpec(name, simplify_repl="%s") for name in KEEP_ARGUMENT),
            *(MacroTextSpec(name, simplify_repl="%s") for name in VERBATIM_ARGUMENT),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True)


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
    if "\\" not in value and "$" not in value:  # only braces, dashes, quotes, ties
        return _squeeze(_plain(value))
    text = _scan(value)
    if text is None:
        text = _with_pylatexenc(value)
    return _squeeze(text)


def _squeeze(text: str) -> str:
    """Runs of spaces, tabs and newlines as one space, stripped (the regex only when needed:
    most values have none)."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


_LIGATURE_RE = re.compile(r"---|--|``|''|~")
_LIGATURE_TEXT = {"---": "—", "--": "–", "``": "“", "''": "”", "~": "\u00a0"}


def _ligatures(text: str) -> str:
    return _LIGATURE_RE.sub(lambda m: _LIGATURE_TEXT[m.group(0)], text)


# Macros without arguments that reference managers write and pylatexenc lacks or spells
# differently (it gives the spacing modifier letters for ^ and ~; a user typed ASCII).
SYMBOLS = {
    **dict(
        pair.split("=", 1)
        for pair in r"""
        textless=< textgreater=> textbar=| textbackslash=\ textasciitilde=~ textasciicircum=^
        textasciigrave=` textquotesingle=' textquotedbl=" textunderscore=_ textdollar=$
        textbraceleft={ textbraceright=} textsection=§ textparagraph=¶ S=§ P=¶
        textperiodcentered=· textbullet=• textellipsis=… textmu=µ textohm=Ω textminus=− textpm=±
        texttimes=× textdiv=÷ textdegree=° textcelsius=℃ textperthousand=‰ texteuro=€ euro=€
        textsterling=£ pounds=£ textyen=¥ textcent=¢ textregistered=® texttrademark=™
        textcopyright=© copyright=© textendash=– textemdash=— textquoteleft=‘ textquoteright=’
        textquotedblleft=“ textquotedblright=” guillemotleft=« guillemotright=» guilsinglleft=‹
        guilsinglright=› quotedblbase=„ quotesinglbase=‚ textexclamdown=¡ textquestiondown=¿
        dag=† ddag=‡ textdagger=† textdaggerdbl=‡ ldots=… dots=… ss=ß o=ø O=Ø l=ł L=Ł ae=æ AE=Æ
        oe=œ OE=Œ aa=å AA=Å i=ı j=ȷ dh=ð DH=Ð th=þ TH=Þ ng=ŋ NG=Ŋ dj=đ DJ=Đ
        """.split()
    ),
    "relax": "",
    "noopsort": "",
    "space": " ",
    "newline": "\n",
    "par": "\n",
    "quad": " ",
    "qquad": " ",
}
# Formatting commands whose argument is the text (the command itself carries no characters).
KEEP_ARGUMENT = frozenset(
    (
        "textit textbf textsl textsc texttt textsf textrm textup textmd textnormal emph mbox "
        "text hbox textsubscript textsuperscript uline underline uppercase lowercase "
        "mkbibemph mkbibbold mkbibitalic foreignlanguage ensuremath"
    ).split()
)
VERBATIM_ARGUMENT = frozenset(("url", "nolinkurl", "path", "doi"))
ACCENTS = {
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
    "t": "\u0361",
}
# \ before one of these is that character; thin spaces and hyphenation hints
_ESCAPED = {c: c for c in "&%$#_{} "} | {
    ",": "\u2009",
    ";": " ",
    ":": " ",
    "!": "",
    "-": "",
    "/": "",
    "@": "",
    "\\": "\n",
}
_TOKEN = re.compile(r"[\\$]")
_WORD = re.compile(r"[A-Za-z]+")
_SKIP_SPACE = re.compile(r"[ \t\r\n]*")


def _plain(text: str) -> str:
    """Text between macros: ties, dashes and quotes as characters (before the braces go:
    ``-{}-`` is two hyphens), grouping braces dropped."""
    if "~" in text or "-" in text or "`" in text or "'" in text:
        text = _ligatures(text)
    return text.replace("{", "").replace("}", "") if "{" in text or "}" in text else text


def _scan(value: str) -> str | None:
    """``value`` decoded, or None for a macro the tables do not know and pylatexenc does."""
    out: list[str] = []
    pos, end = 0, len(value)
    while pos < end:
        match = _TOKEN.search(value, pos)
        if match is None:
            out.append(_plain(value[pos:]))
            break
        start = match.start()
        if start > pos:
            out.append(_plain(value[pos:start]))
        pos = match.end()
        if match.group(0) == "$":
            close = _math_end(value, pos)
            if close is None:
                out.append("$")
                continue
            out.append(_math(value[pos:close]))
            pos = close + 1
        else:
            decoded = _macro(value, pos)
            if decoded is None:
                return None
            text, pos = decoded
            out.append(text)
    return "".join(out)


def _macro(value: str, pos: int) -> tuple[str, int] | None:
    """The text of the macro whose name starts at ``pos`` (after its backslash), and where
    the scan goes on."""
    if pos >= len(value):
        return "\\", pos
    char = value[pos]
    word = _WORD.match(value, pos)
    if word is None:
        if char in ACCENTS:
            return _accented(value, pos + 1, ACCENTS[char])
        if char in _ESCAPED:
            return _ESCAPED[char], pos + 1
        return None
    name = word.group(0)
    after = _SKIP_SPACE.match(value, word.end()).end()  # LaTeX eats spaces after a name
    if name in ACCENTS and (value.startswith("{", after) or after > word.end()):
        return _accented(value, after, ACCENTS[name])
    if name in SYMBOLS:
        return SYMBOLS[name], after + 2 if value.startswith("{}", after) else after
    if name in KEEP_ARGUMENT:
        return "", after
    if name in VERBATIM_ARGUMENT and value.startswith("{", after):
        close = _group_end(value, after)
        if close is None:
            return None
        return value[after + 1 : close], close + 1
    symbol = _pylatexenc_symbol(name)
    if symbol is not None:
        return symbol, after + 2 if value.startswith("{}", after) else after
    if _pylatexenc_knows(name):
        return None
    # unknown everywhere: kept as written, with the group that follows it
    if value.startswith("{", after):
        close = _group_end(value, after)
        if close is not None:
            return value[pos - 1 : close + 1], close + 1
    return value[pos - 1 : after], after


def _accented(value: str, pos: int, mark: str) -> tuple[str, int] | None:
    """An accent over the letter at ``pos`` (``e``, ``{e}``, ``\\i``, ``{\\i}``)."""
    pos = _SKIP_SPACE.match(value, pos).end()
    braced = value.startswith("{", pos)
    if braced:
        pos = _SKIP_SPACE.match(value, pos + 1).end()
    if value.startswith(("\\i", "\\j"), pos) and not value[pos + 2 : pos + 3].isalpha():
        base, pos = value[pos + 1], pos + 2
    elif pos < len(value) and value[pos].isalpha():
        base, pos = value[pos], pos + 1
    else:
        return None
    if braced:
        pos = _SKIP_SPACE.match(value, pos).end()
        if not value.startswith("}", pos):
            return None
        pos += 1
    return unicodedata.normalize("NFC", base + mark), pos


def _group_end(value: str, pos: int) -> int | None:
    """The index of the brace closing the group opened at ``pos``."""
    depth = 0
    for index in range(pos, len(value)):
        char = value[index]
        if char == "\\":
            continue
        if char == "{" and value[index - 1 : index] != "\\":
            depth += 1
        elif char == "}" and value[index - 1 : index] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return None


def _math_end(value: str, pos: int) -> int | None:
    index = value.find("$", pos)
    while index > 0 and value[index - 1] == "\\":
        index = value.find("$", index + 1)
    return None if index < 0 else index


@lru_cache(maxsize=4096)
def _math(content: str) -> str:
    """Inline math as text (``$<$`` -> ``<``, ``$\\alpha$`` -> ``α``), by pylatexenc: math
    snippets are short and repeat, so each is parsed once."""
    stripped = content.strip()
    if len(stripped) == 1 or not stripped:
        return stripped
    try:
        return _decoder().latex_to_text(f"${content}$").strip()
    except Exception:  # pylatexenc raises on some malformed input
        return f"${content}$"


@lru_cache(maxsize=4096)
def _pylatexenc_symbol(name: str) -> str | None:
    """What pylatexenc writes for an argument-less macro (``\\alpha``, ``\\textdegree``)."""
    from pylatexenc.latexwalker import get_default_latex_context_db as walker_context

    spec = _decoder().latex_context.get_macro_spec(name)
    repl = getattr(spec, "simplify_repl", None)
    walker = walker_context().get_macro_spec(name)
    if walker is not None and walker.args_parser.argspec:
        return None
    return repl if isinstance(repl, str) and "%" not in repl and "\\" not in repl else None


@lru_cache(maxsize=4096)
def _pylatexenc_knows(name: str) -> bool:
    return _decoder().latex_context.get_macro_spec(name) is not None


def _with_pylatexenc(value: str) -> str:
    try:
        return _decoder().latex_to_text(value)
    except Exception:  # pylatexenc raises on some malformed input
        return value


def _escape_special(match: re.Match[str]) -> str:
    return SPECIALS[match.group(0)]


def escape_specials(text: str) -> str:
    """Only the characters LaTeX treats specially escaped (BibLaTeX with biber is UTF-8);
    invisible controls dropped. (The ligature regex only when a pair is there: an export
    encodes every field of every work, and its look-arounds cost ten times the other steps.)"""
    escaped = _SPECIALS_RE.sub(_escape_special, strip_controls(text))
    if "--" in escaped or "``" in escaped or "''" in escaped:
        escaped = _LIGATURES.sub("{}", escaped)
    return escaped


@lru_cache(maxsize=4096)
def _char_to_latex(char: str) -> str:
    """One non-ASCII character as LaTeX when LaTeX has an exact spelling for it (pylatexenc
    approximates some, such as Ħ as H with a macron: those stay as UTF-8)."""
    encoded = _encoder().unicode_to_latex(char)
    # {\'\i} (dotless i) renders badly outside LaTeX (pandoc); {\'i} means the same to LaTeX.
    encoded = _DOTLESS.sub(r"\\\1i", encoded)
    return encoded if encoded != char and to_text(encoded) == char else char


def is_plain(text: str) -> bool:
    """Whether ``to_latex`` and ``escape_specials`` leave ``text`` as it is: ASCII without a
    special or a ligature pair. Values joined by NUL are plain together only when each is."""
    return text.isascii() and _NEEDS_ESCAPING.search(text) is None


def to_latex(text: str) -> str:
    """Unicode text as LaTeX for classic BibTeX: specials escaped, accents as commands."""
    if text.isascii() and _NEEDS_ESCAPING.search(text) is None:
        return text  # what most fields are (volumes, pages, journals, publishers)
    escaped = escape_specials(text)
    if escaped.isascii():
        return escaped
    return _NON_ASCII.sub(lambda match: _char_to_latex(match.group(0)), escaped)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")  # only these need a look-up: a title's few accents


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


# The English names (babel's names) of languages records often carry, as langcodes gives them:
# finding a name loads langcodes' name data, a fifth of a second of a whole ``phbrefs export``.
_ENGLISH_NAMES = {
    code: name
    for pair in """
    fr=french es=spanish it=italian nl=dutch pt=portuguese sv=swedish da=danish fi=finnish
    pl=polish cs=czech ru=russian ja=japanese zh=chinese ko=korean ar=arabic tr=turkish
    hu=hungarian ro=romanian hr=croatian sk=slovak uk=ukrainian he=hebrew fa=persian hi=hindi
    id=indonesian ca=catalan eu=basque gl=galician et=estonian lv=latvian lt=lithuanian
    is=icelandic ga=irish cy=welsh sr=serbian bg=bulgarian
    """.split()
    for code, name in [pair.split("=")]
}
# babel names themselves (a BibTeX file's ``language = {ngerman}``): langcodes reads none as a tag
_NAMES = frozenset(_BABEL_NAMES.values()) | frozenset(_ENGLISH_NAMES.values())


def babel_language(tag: str) -> str:
    """The babel language name for a BCP 47 tag (``en-GB`` -> ``british``), what biblatex's
    ``langid`` and babel's hyphenation need; a value that is no tag is returned unchanged."""
    if tag in _BABEL_NAMES:
        return _BABEL_NAMES[tag]
    if tag in _NAMES:
        return tag
    return _ENGLISH_NAMES.get(tag) or babel_language_by_langcodes(tag)


def babel_language_by_langcodes(tag: str) -> str:
    """``babel_language`` for the tags neither table holds."""
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
