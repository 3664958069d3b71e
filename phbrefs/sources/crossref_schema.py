"""The shape of a Crossref answer, checked before anything from it reaches the library.

Only the parts phbrefs reads are described (the mapping in ``crossref.py`` relies on these types);
everything else passes through untouched and is kept in the record's ``raw``. An answer that does
not fit, such as ``message`` a list, ``author`` a string, ``title`` an object or date parts as
strings, is refused with a one-line reason instead of being stored as an empty or garbled work.

pydantic is imported here only, and this module only when an answer arrives, so commands that
read the library never load it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints
from pydantic import ValidationError as SchemaError

__all__ = ["SchemaError", "check_list", "check_work", "check_work_answer", "reason"]

# Caps on single fields: a work's text is never megabytes; a larger one is an attack or a bug.
MAX_TEXT = 200_000  # characters of an abstract or any other single string
MAX_ITEMS = 5_000  # entries of one list (authors of the largest collaborations stay well under)

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Titles = Text | Annotated[list[Text], Field(max_length=MAX_ITEMS)]  # Crossref lists, or a string


def _many(kind: Any) -> Any:
    return Annotated[list[kind], Field(max_length=MAX_ITEMS)] | None


class _Part(BaseModel):
    # Lax on purpose except for numbers (StrictInt): pydantic never turns a list into a string
    # or a string into a list; unknown keys are ignored here and kept in ``raw``.
    model_config = ConfigDict(extra="ignore")


class Date(_Part):
    date_parts: _many(Annotated[list[StrictInt | None], Field(max_length=3)]) = Field(
        None, alias="date-parts"
    )


class Named(_Part):
    name: Text | None = None


class Person(_Part):
    family: Text | None = None
    given: Text | None = None
    name: Text | None = None
    suffix: Text | None = None
    ORCID: Text | None = None
    affiliation: _many(Named) = None


class Funder(_Part):
    name: Text | None = None
    DOI: Text | None = None
    award: _many(Text) = None


class Update(_Part):
    type: Text | None = None
    DOI: Text | None = None
    updated: Date | None = None
    label: Text | None = None


class License(_Part):
    URL: Text


class Primary(_Part):
    URL: Text | None = None


class Resource(_Part):
    primary: Primary | None = None


class Work(_Part):
    DOI: Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]
    type: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    subtype: Text | None = None
    title: Titles | None = None
    subtitle: Titles | None = None
    short_title: Titles | None = Field(None, alias="short-title")
    original_title: Titles | None = Field(None, alias="original-title")
    group_title: Titles | None = Field(None, alias="group-title")
    container_title: Titles | None = Field(None, alias="container-title")
    short_container_title: Titles | None = Field(None, alias="short-container-title")
    degree: Titles | None = None
    author: _many(Person) = None
    editor: _many(Person) = None
    chair: _many(Person) = None
    translator: _many(Person) = None
    contributor: _many(Person) = None
    abstract: Text | None = None
    publisher: Text | None = None
    publisher_location: Text | None = Field(None, alias="publisher-location")
    institution: _many(Named) = None
    event: Named | None = None
    volume: Text | None = None
    issue: Text | None = None
    page: Text | None = None
    article_number: Text | None = Field(None, alias="article-number")
    edition_number: Text | None = Field(None, alias="edition-number")
    issued: Date | None = None
    published_print: Date | None = Field(None, alias="published-print")
    published_online: Date | None = Field(None, alias="published-online")
    ISSN: _many(Text) = None
    ISBN: _many(Text) = None
    subject: _many(Text) = None
    URL: Text | None = None
    language: Text | None = None
    license: _many(License) = None
    funder: _many(Funder) = None
    update_to: _many(Update) = Field(None, alias="update-to")
    updated_by: _many(Update) = Field(None, alias="updated-by")
    resource: Resource | None = None


class WorkAnswer(_Part):
    message: dict[str, Any]


class ListMessage(_Part):
    items: list[Any]


class ListAnswer(_Part):
    message: ListMessage


def reason(error: SchemaError) -> str:
    """The first problem, as ``field: what is wrong`` (and how many more)."""
    problems = error.errors(include_url=False)
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "answer"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {first['msg'].lower()}{more}"


def check_work(message: Any) -> str:
    """Validate one work (a ``message`` or a list item); returns its DOI, lower-cased."""
    return Work.model_validate(message).DOI.lower()


def check_work_answer(body: Any) -> dict[str, Any]:
    """The ``message`` of a ``/works/{doi}`` answer, once its envelope fits."""
    return WorkAnswer.model_validate(body).message


def check_list(body: Any) -> list[Any]:
    """The items of a ``/works?filter=`` answer, once its envelope fits (items unchecked)."""
    return ListAnswer.model_validate(body).message.items
