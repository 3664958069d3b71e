"""BibTeX and BibLaTeX: import with bibtexparser 2 middlewares, export for bibtex, biber, pandoc.

Import: ``@string`` macros, month macros, LaTeX to Unicode, names split into given/von/family/
suffix (a fully braced name is an organisation), ``crossref`` and ``xdata`` inheritance. Fields
with no home in ``WorkRecord`` go to ``record.extra`` and are written back on export.

Export: ``bibtex`` is pure ASCII LaTeX for classic BibTeX (and pandoc); ``biblatex`` is UTF-8
for biber, with BibLaTeX's own entry types and fields (``date``, ``journaltitle``...).

The modules: ``fields`` (entry types and fields, shared), ``entries`` (one entry to a record),
``importer`` (files, whole or in pieces), ``exporter``. The import side is loaded on first use
(``__getattr__``): an export needs none of it, nor the cleaning and identifier modules it loads.
"""

from __future__ import annotations

import importlib
from typing import Any

from phbrefs.formats.bibtex.exporter import BibExporter, proper_nouns
from phbrefs.formats.bibtex.fields import BIB_TO_CSL, CSL_TO_BIB, MONTH_MACROS, NAME_FIELDS

EXPORTERS = {"bibtex": BibExporter("bibtex"), "biblatex": BibExporter("biblatex")}
_IMPORT_SIDE = {
    "ExpansionError": "entries",
    "entry_to_record": "entries",
    "pages_to_text": "entries",
    "BibImporter": "importer",
    "BibParsed": "importer",
    "BibPart": "importer",
}


def __getattr__(name: str) -> Any:
    if name == "IMPORTERS":
        from phbrefs.formats.bibtex.importer import BibImporter

        value: Any = {"bibtex": BibImporter("bibtex"), "biblatex": BibImporter("biblatex")}
    elif name in _IMPORT_SIDE:
        value = getattr(importlib.import_module(f"{__name__}.{_IMPORT_SIDE[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # once
    return value


__all__ = [
    "BIB_TO_CSL",
    "CSL_TO_BIB",
    "EXPORTERS",
    "IMPORTERS",
    "MONTH_MACROS",
    "NAME_FIELDS",
    "BibExporter",
    "BibImporter",
    "BibParsed",
    "BibPart",
    "ExpansionError",
    "entry_to_record",
    "pages_to_text",
    "proper_nouns",
]
