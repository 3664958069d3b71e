"""BibTeX and BibLaTeX entry types and fields, and what CSL calls them: the mapping import
and export share."""

from __future__ import annotations

# -- entry types ------------------------------------------------------------------------------

BIB_TO_CSL = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "bookinbook": "chapter",
    "inbook": "chapter",
    "suppbook": "chapter",
    "booklet": "pamphlet",
    "collection": "book",
    "mvcollection": "book",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "dataset": "dataset",
    "manual": "report",
    "misc": "article",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "patent": "patent",
    "periodical": "periodical",
    "suppperiodical": "article-journal",
    "proceedings": "book",
    "mvproceedings": "book",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "reference": "book",
    "mvreference": "book",
    "inreference": "entry-encyclopedia",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "unpublished": "manuscript",
    "software": "software",
    "standard": "standard",
    "legislation": "legislation",
    "jurisdiction": "legal_case",
    "artwork": "graphic",
    "image": "graphic",
    "audio": "song",
    "music": "song",
    "video": "motion_picture",
    "movie": "motion_picture",
    "performance": "performance",
    "letter": "personal_communication",
    "review": "review",
}

# CSL type -> (biblatex type, bibtex type)
CSL_TO_BIB = {
    "article-journal": ("article", "article"),
    "article-magazine": ("article", "article"),
    "article-newspaper": ("article", "article"),
    "review": ("review", "article"),
    "review-book": ("review", "article"),
    "periodical": ("periodical", "misc"),
    "book": ("book", "book"),
    "classic": ("book", "book"),
    "chapter": ("incollection", "incollection"),
    "entry-encyclopedia": ("inreference", "incollection"),
    "entry-dictionary": ("inreference", "incollection"),
    "entry": ("inreference", "incollection"),
    "paper-conference": ("inproceedings", "inproceedings"),
    "report": ("report", "techreport"),
    "thesis": ("thesis", "phdthesis"),
    "webpage": ("online", "misc"),
    "post": ("online", "misc"),
    "post-weblog": ("online", "misc"),
    "dataset": ("dataset", "misc"),
    "software": ("software", "misc"),
    "manuscript": ("unpublished", "unpublished"),
    "pamphlet": ("booklet", "booklet"),
    "patent": ("patent", "misc"),
    "standard": ("standard", "techreport"),
    "legislation": ("legislation", "misc"),
    "legal_case": ("jurisdiction", "misc"),
    "personal_communication": ("letter", "misc"),
}
BIBLATEX_TYPES = set(BIB_TO_CSL) - {
    "electronic",
    "www",
    "conference",
    "phdthesis",
    "mastersthesis",
    "techreport",
}
BIBTEX_TYPES = {
    "article",
    "book",
    "booklet",
    "inbook",
    "incollection",
    "inproceedings",
    "conference",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
}

NAME_FIELDS = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",
    "bookauthor": "container-author",
    "editora": "editor",
    "annotator": "annotator",
    "commentator": "commentator",
    "introduction": "introduction",
    "foreword": "foreword",
    "afterword": "afterword",
}
ROLE_FIELDS = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",
    "container-author": "bookauthor",
}
# Fields read verbatim (no LaTeX decoding): identifiers and links.
VERBATIM = frozenset(("url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc", "urlraw"))
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
CONTAINER_ENTRIES = frozenset(("xdata", "set"))  # hold fields for others; not works themselves
_NO_INHERIT = frozenset(
    (
        "ids crossref xref xdata entryset entrysubtype execute label options presort related "
        "relatedoptions relatedstring relatedtype shorthand shorthandintro sortkey"
    ).split()
)
_BOOK_PARENTS = frozenset(
    ("book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings", "reference")
)
_IN_CHILDREN = frozenset(
    (
        "inbook",
        "bookinbook",
        "suppbook",
        "incollection",
        "suppcollection",
        "inproceedings",
        "inreference",
    )
)


def _fully_braced(name: str) -> bool:
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(name) - 1:
            return False
    return True
