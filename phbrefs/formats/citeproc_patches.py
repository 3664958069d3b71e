"""Work-arounds for citeproc-py 0.11 bugs that break real CSL styles (see ``patch_citeproc``).

Each patch wraps one citeproc-py method; they are applied once, the first time a
bibliography is formatted, so importing phbrefs stays cheap.
"""

from __future__ import annotations

import re

_SORT_NOISE = re.compile('[\ue000-\ue00b“”‘’"]')

_PATCHED = False


def patch_citeproc() -> None:
    """Work around three citeproc-py 0.11 bugs that break real CSL styles.

    1. A variable used as a substitute for a missing author through a macro or ``cs:choose``
       (APA, Chicago, Harvard for works with no author) was printed twice: the spec says it is
       suppressed in the rest of the entry. We record what the substitute rendered and suppress it.
    2. A localised date's own delimiter (``<date form="text" delimiter=" ">`` in a style's
       locale, as in Vancouver) was ignored, giving "2016Sep".
    3. Sort keys rendered through nested macros lost ``name-as-sort-order="all"``, so Chicago
       sorted Welch, Jones, Fox before Welch, Jones, Caiels; and sort keys kept their
       formatting (our markers) and quotation marks, so an italic title sorted after "Z".

    4. Names used as the substitute (an editor for a missing author) were printed again later
       ("Needham C, editor. Edited book. Needham C, editor."): ``cs:names`` never looked at the
       suppressed variables.
    5. A label's ``text-case`` was ignored for ``title`` ("(eds.)" for APA's "(Eds.)"): the
       case was applied as if the entry were not English. And a range of roman page numbers
       took the singular label ("p. iii–xv").
    6. Title case left the parts of a hyphenated word and a word after punctuation alone
       ("User-led", "_tension_"), where pandoc and citeproc-js write "User-Led", "_Tension_".
    7. Page ranges were shortened wrongly ("1-11" as "1–1" in ``minimal``): see
       ``last_page``.

    Macros are also looked up once per style rather than by XPath at every use (half the time).
    """
    global _PATCHED
    if _PATCHED:
        return
    from citeproc.model import (
        CitationStylesElement,
        Date,
        FormatNumber,
        Key,
        Label,
        Locale,
        Names,
        Substitute,
        Text,
        TextCased,
        VariableError,
    )
    from citeproc.string import NoCase

    recording: list[list[tuple[str, str]]] = []
    original_variable = Text._variable

    def _variable(self, item, context):  # type: ignore[no-untyped-def]
        value = original_variable(self, item, context)
        if recording and value is not None:
            recording[-1].append((self.tag, self.get("variable")))
        return value

    def render_substitute(self, item, context=None, **kwargs):  # type: ignore[no-untyped-def]
        for child in self.getchildren():
            recording.append([])
            try:
                if isinstance(child, Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                continue
            finally:
                rendered = recording.pop()
            if text:
                repressed = context.get_layout().repressed
                for tag, variable in rendered:
                    repressed.setdefault(tag, []).append(variable)
                self.add_to_repressed_list(child, context)
                return text
        return None

    original_single_date = Date.render_single_date

    def render_single_date(self, date, show_parts=None, context=None):  # type: ignore[no-untyped-def]
        if (
            context is not None
            and context is not self
            and context.get("delimiter") is None
            and self.get("delimiter") is not None
            and self.is_locale_date()
        ):
            parts = self.parts(date, show_parts, context)
            return self.join(parts) if parts else None
        return original_single_date(self, date, show_parts, context)

    original_process = Text.process

    def process(self, item, context=None, **kwargs):  # type: ignore[no-untyped-def]
        sort_options = kwargs.get("sort_options")
        if sort_options is None or "macro" not in self.attrib:
            return original_process(self, item, context, **kwargs)
        try:
            language = item.reference.language[:2]
        except VariableError:
            language = self.get_root().get("default-locale", "en")[:2]
        macro = self.get_macro(self.get("macro"))
        return macro.render(
            item, self if context is None else context, sort_options=sort_options
        ), language

    original_sort_keys = Key.sort_keys

    def sort_keys(self, items, context):  # type: ignore[no-untyped-def]
        keys = original_sort_keys(self, items, context)
        return [_SORT_NOISE.sub("", str(k)) if isinstance(k, str) else k for k in keys]

    original_get_macro = CitationStylesElement.get_macro

    def get_macro(self, name):  # type: ignore[no-untyped-def]
        root = self.get_root()  # the style's root lives as long as the style: cache on it
        cache = getattr(root, "_phbrefs_macros", None)
        if cache is None:
            cache = {}
            root._phbrefs_macros = cache
        if name not in cache:
            cache[name] = original_get_macro(self, name)
        return cache[name]

    original_get_term = Locale.get_term
    missing = object()

    def get_term(self, name, form=None, zero_padded=False):  # type: ignore[no-untyped-def]
        root = self.get_root()  # terms are looked up by XPath at every use: cache them too
        cache = getattr(root, "_phbrefs_terms", None)
        if cache is None:
            cache = {}
            root._phbrefs_terms = cache
        key = (self.sourceline, name, form, zero_padded)
        if key not in cache:
            try:
                cache[key] = original_get_term(self, name, form, zero_padded)
            except IndexError:
                cache[key] = missing
        if cache[key] is missing:
            raise IndexError(name)
        return cache[key]

    original_names_process = Names.process

    def names_process(self, item, names_context=None, context=None, **kwargs):  # type: ignore[no-untyped-def]
        try:
            repressed = (self if context is None else context).get_layout().repressed
        except IndexError:  # outside a layout (a sort key): nothing is suppressed there
            repressed = {}
        hidden = {role for names in repressed.get(self.tag, []) if names for role in names.split()}
        variable = self.get("variable", "")
        shown = [role for role in variable.split() if role not in hidden]
        if hidden and not shown:
            raise VariableError
        self.set("variable", " ".join(shown))
        try:
            text = original_names_process(self, item, names_context, context, **kwargs)
        finally:
            self.set("variable", variable)
        if recording and text:
            recording[-1].append((self.tag, variable))
        return text

    def label_markup(self, text):  # type: ignore[no-untyped-def]
        if not text:
            return None
        language = (self.get_root().get("default-locale") or "en")[:2]
        return self.wrap(self.format(self.case(self.strip_periods(text), language)))

    original_is_plural = Label._is_plural

    def is_plural(self, item):  # type: ignore[no-untyped-def]
        if self.get("variable") != "page":
            return original_is_plural(self, item)
        try:
            return _PAGE_RANGE.search(str(item.reference.page)) is not None
        except VariableError:
            return False

    original_case = TextCased.case

    def case(self, text, language=None):  # type: ignore[no-untyped-def]
        if self.get("text-case") != "title" or language != "en":
            return original_case(self, text, language)
        output, previous = [], ":"
        for word in text.words():
            if not isinstance(word, NoCase):
                word = word.__class__(_title_word(str(word), previous, TextCased._stop_words))
            previous = word[-1]
            output.append(word)
        return " ".join(output)

    def format_last_page(self, first, last):  # type: ignore[no-untyped-def]
        return last_page(first, last, self.get_root().get_option("page-range-format"))

    TextCased.case = case
    Names.process = names_process
    Label.markup = label_markup
    Label._is_plural = is_plural
    FormatNumber._format_last_page = format_last_page
    Key.sort_keys = sort_keys
    CitationStylesElement.get_macro = get_macro
    Locale.get_term = get_term
    Text._variable = _variable
    Text.process = process
    Substitute.render = render_substitute
    Date.render_single_date = render_single_date
    _PATCHED = True


_FIRST_LETTER = re.compile(r"^([_“‘\"'(\[]*)([^\W\d_])")


def _title_word(word: str, previous: str, stop_words: list[str]) -> str:
    """One word in CSL title case: each lower-case part of a hyphenated word capitalised
    (its first letter, after any opening punctuation), stop words left lower case except
    first and after a colon or full stop."""
    parts = word.split("-")
    for index, part in enumerate(parts):
        bare = part.strip("_“”‘’\"'()[]")
        if not part.islower():
            continue
        if bare in stop_words and not (index == 0 and previous in (":", ".")):
            continue
        parts[index] = _FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).upper(), part, 1)
    return "-".join(parts)


_PAGE_RANGE = re.compile(r"\w\s*[-–,&]\s*\w")
_PREFIXED = re.compile(r"^(\D*)(\d+)$")


def last_page(first: str, last: str, range_format: str | None) -> str:
    """The last page of ``first``-``last`` as CSL's ``page-range-format`` writes it.

    Written here because citeproc-py 0.11 compares digits without regard to length ("1-11"
    became "1–1"). ``expanded`` (and no format) gives the whole number (``1201-14`` ->
    ``1214``); ``minimal`` only the digits that change; ``minimal-two`` at least two;
    ``chicago``/``chicago-15``/``chicago-16`` follow the Chicago Manual's table. A shared
    prefix (``S12-S15``) stays on the last page only when it is written in full, as pandoc
    does; anything else (roman numerals, prefixes that differ) is left as written.
    """
    head, tail = _PREFIXED.match(first), _PREFIXED.match(last)
    if not head or not tail or (tail.group(1) and tail.group(1) != head.group(1)):
        return last
    start, end = head.group(2), tail.group(2)
    if len(end) < len(start) and int(start[: len(start) - len(end)] + end) >= int(start):
        end = start[: len(start) - len(end)] + end
    if int(end) < int(start):
        return last
    if range_format in (None, "expanded"):
        return tail.group(1) + end
    return _shortened(start, end, range_format)


def _shortened(start: str, end: str, range_format: str) -> str:
    if len(start) != len(end):
        return end
    common = next((i for i, (a, b) in enumerate(zip(start, end, strict=True)) if a != b), len(end))
    if range_format.startswith("chicago"):
        number = int(start)
        if number < 100 or number % 100 == 0:
            return end
        if range_format != "chicago-16" and len(start) == 4 and common < 2:
            return end  # 1496-1504: three digits change
        range_format = "minimal" if number % 100 < 10 else "minimal-two"
    if range_format == "minimal":
        return end[common:] or end[-1:]
    if range_format == "minimal-two":
        return end[min(common, len(end) - 2) :]
    return end
