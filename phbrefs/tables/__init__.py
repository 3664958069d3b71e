"""Evidence tables for reviews (studies, matrix, CERQual SoQF and profile, one claim) written as
Markdown, CSV, HTML, Word, LaTeX or Excel, and the evidence map figure (``evidence_map``).

>>> table = build_table(library, "soqf", tags=["included"])
>>> write_table(table, "exports/soqf.docx")
"""

from phbrefs.tables.builders import TABLE_NAMES, build_table
from phbrefs.tables.data import NothingToTabulateError
from phbrefs.tables.model import Cell, Column, Reference, Row, Table
from phbrefs.tables.writers import TABLE_FORMATS, write_table

__all__ = [
    "TABLE_FORMATS",
    "TABLE_NAMES",
    "Cell",
    "Column",
    "NothingToTabulateError",
    "Reference",
    "Row",
    "Table",
    "build_table",
    "write_table",
]
