"""BibTeX and BibLaTeX: import with bibtexparser 2 middlewares, export for bibtex, biber, pandoc.

Import: ``@string`` macros, month macros, LaTeX to Unicode, names split into given/von/family/
suffix (a fully braced name is an organisation), ``crossref`` and ``xdata`` inheritance. Fields
with no home in ``WorkRecord`` go to ``record.extra`` and are written back on export.

Export: ``bibtex`` is pure ASCII LaTeX for classic BibTeX (and pandoc); ``biblatex`` is UTF-8
for biber, with BibLaTeX's own entry types and fields (``date``, ``journaltitle``...).

The modules: ``fields`` (entry types and fields, shared), ``entries`` (one entry to a record),
``importer`` (files, whole or in pieces), ``exporter``.
"""

from phbrefs.formats.bibtex.entries import ExpansionError, entry_to_record, pages_to_text
from phbrefs.formats.bibtex.exporter import BibExporter, proper_nouns
from phbrefs.formats.bibtex.fields import BIB_TO_CSL, CSL_TO_BIB, MONTH_MACROS, NAME_FIELDS
from phbrefs.formats.bibtex.importer import BibImporter, BibParsed, BibPart

IMPORTERS = {"bibtex": BibImporter("bibtex"), "biblatex": BibImporter("biblatex")}
EXPORTERS = {"bibtex": BibExporter("bibtex"), "biblatex": BibExporter("biblatex")}

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
