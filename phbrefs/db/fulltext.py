"""The full-text index of works, on SQLite (FTS5) and on PostgreSQL (tsvector + GIN): the one
module holding its dialect-specific SQL.

Both index the same six fields and rank by the same BM25 (k1 1.2, b 0.75, the field weights
below), so a query returns the same top works on either backend. FTS5 computes BM25 itself; on
PostgreSQL the terms are tokenised here as FTS5's ``unicode61`` tokeniser does (letters and
digits, lower case, diacritics removed; no stemming, no stop words: the server's locale and
text-search configuration play no part) into a ``tsvector`` under a GIN index, beside each
token's field-weighted count, and BM25 is computed in SQL over the works the index finds.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from phbrefs.db.failures import is_corruption
from phbrefs.errors import InvalidInputError

if TYPE_CHECKING:  # SQLAlchemy stays unimported on the fast SQLite read path (db/reader.py)
    from sqlalchemy import Connection

COLUMNS = ("title", "abstract", "authors", "container", "notes", "keywords")
WEIGHTS = (10.0, 3.0, 6.0, 2.0, 2.0, 4.0)  # the order of COLUMNS: titles weigh most
K1, B = 1.2, 0.75  # FTS5's bm25() constants
SNIPPET_TOKENS = 12
_TOKEN = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_OPERATORS = ("AND", "OR", "NOT", "NEAR")
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


def text(sql: str) -> Any:
    """SQLAlchemy's ``text``, imported only by the paths that run through SQLAlchemy."""
    from sqlalchemy import text as sql_text

    return sql_text(sql)


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def index(conn: Connection, rows: Sequence[tuple[int, Sequence[str]]]) -> None:
    """(Re)write the index rows of these works: ``(work id, the texts of COLUMNS in order)``."""
    if not rows:
        return
    from phbrefs.db.bulk import write_rows  # SQLAlchemy: not on the fast reader's path

    delete(conn, [work_id for work_id, _ in rows])
    if _is_postgres(conn):
        columns = ("work_id", "length", *COLUMNS, "frequencies", "document")
        write_rows(conn, "work_fts", columns, (_pg_row(*row) for row in rows))
        return
    write_rows(conn, "work_fts", ("rowid", *COLUMNS), [(wid, *fields) for wid, fields in rows])


def delete(conn: Connection, work_ids: Sequence[int]) -> None:
    """Remove these works from the index."""
    key = "work_id" if _is_postgres(conn) else "rowid"
    for start in range(0, len(work_ids), CHUNK):
        listed = ", ".join(str(int(work_id)) for work_id in work_ids[start : start + CHUNK])
        conn.execute(text(f"DELETE FROM work_fts WHERE {key} IN ({listed})"))


def indexed_ids(conn: Connection) -> set[int]:
    """The works the index holds a row for."""
    key = "work_id" if _is_postgres(conn) else "rowid"
    return {work_id for (work_id,) in conn.execute(text(f"SELECT {key} FROM work_fts"))}


def clear(conn: Connection) -> None:
    """Empty the index (before rebuilding it from the works)."""
    conn.execute(text("DELETE FROM work_fts"))


def search(conn: Connection, query: str, limit: int) -> list[tuple[int, float, str]]:
    """The ``limit`` best works for ``query``: (work id, BM25 score, snippet), best first.

    Plain words match as prefixes, all of them required. FTS5 syntax (quotes, OR, NOT, NEAR,
    column:) passes through on SQLite; PostgreSQL understands quoted phrases, OR and -word
    (``websearch_to_tsquery``) and ranks those queries by ``ts_rank``.
    """
    if _is_postgres(conn):
        return _pg_search(conn, query, limit)
    return sqlite_search(lambda sql, values: conn.exec_driver_sql(sql, values).all(), query, limit)


SQLITE_RANK = f"bm25(work_fts, {', '.join(str(w) for w in WEIGHTS)})"
SQLITE_TOP = (
    f"SELECT rowid, {SQLITE_RANK} AS rank FROM work_fts WHERE work_fts MATCH ? "
    "ORDER BY rank LIMIT ?"
)
SQLITE_FIELDS = f"SELECT rowid, {', '.join(COLUMNS)} FROM work_fts WHERE rowid IN "
CHUNK = 900  # bound parameters per IN (...), under SQLite's historical limit of 999


def sqlite_search(
    run: Callable[[str, tuple[Any, ...]], Sequence[Any]], query: str, limit: int
) -> list[tuple[int, float, str]]:
    """``search`` on SQLite through ``run(sql, values)``, which returns a statement's rows by
    either driver (the fast reader's ``sqlite3``, or a SQLAlchemy connection). FTS5 keeps the
    top ``limit`` in its bounded sorter; only those rows' fields are read, for snippets."""
    try:
        top = run(SQLITE_TOP, (fts5_query(query), limit))
    except Exception as error:
        original = getattr(error, "orig", error)
        if not isinstance(original, sqlite3.OperationalError) or is_corruption(error):
            raise
        reason = str(original).removeprefix("fts5: ")  # an FTS5 syntax error
        raise InvalidInputError(
            f"cannot search for {query!r}: {reason} (quote a phrase: '\"a b\"')"
        ) from error
    ids = [row[0] for row in top]
    fields: dict[int, Sequence[str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = tuple(ids[start : start + CHUNK])
        rows = run(SQLITE_FIELDS + f"({', '.join('?' * len(chunk))})", chunk)
        fields.update({row[0]: row[1:] for row in rows})
    return _found([(wid, rank, *fields[wid]) for wid, rank in top], _terms(query), sign=-1)


def _found(rows: Sequence[Any], terms: list[str], sign: int = 1) -> list[tuple[int, float, str]]:
    """(work id, score, snippet) from rows of (id, score, the six fields). Scores are rounded
    to 12 significant digits: the two backends add the same terms in different orders."""
    return [(row[0], float(f"{sign * row[1]:.12g}"), snippet(row[2:], terms)) for row in rows]


def _terms(query: str) -> list[str]:
    """The query's words as index tokens, without operators: what snippets highlight."""
    parts = re.findall(r'"[^"]*"|\S+', query)
    return [t for part in parts if part not in _OPERATORS for t in tokens(part.lstrip("-"))]


def _is_plain(query: str) -> bool:
    return not (
        any(ch in query for ch in '"*:()^') or any(op in query.split() for op in _OPERATORS)
    )


def _query_words(query: str) -> list[str]:
    words = re.findall(r"\w+", query, flags=re.UNICODE)
    if not words:
        raise InvalidInputError(f"nothing to search for in {query!r}")
    return words


def fts5_query(query: str) -> str:
    """Plain words become prefix terms ANDed together; FTS5 syntax is passed through as is."""
    if not _is_plain(query):
        return query
    return " ".join(f'"{w}"*' for w in _query_words(query))


# -- PostgreSQL -------------------------------------------------------------------------------


def tokens(value: str) -> list[str]:
    """The tokens FTS5's ``unicode61 remove_diacritics 2`` tokeniser gives for ``value``."""
    folded = value.lower()
    if not folded.isascii():  # ASCII text has no marks to remove: most of every index row
        folded = _NON_ASCII.sub(_unmarked, unicodedata.normalize("NFD", folded))
    return _TOKEN.findall(folded)


def _unmarked(run: re.Match[str]) -> str:
    return "".join(ch for ch in run.group() if not unicodedata.combining(ch))


def _pg_row(work_id: int, fields: Sequence[str]) -> tuple[Any, ...]:
    """The row of ``work_fts`` for one work: its field texts (for snippets), its length in
    tokens, each token's BM25-weighted count over the fields (``frequencies``), and every token
    with its positions (``document``, which the GIN index serves)."""
    words: list[str] = []
    frequencies: dict[str, float] = {}
    for found, weight in zip(map(tokens, fields), WEIGHTS, strict=True):
        words += found
        for word, count in Counter(found).items():  # the weights are whole: sums are exact
            frequencies[word] = frequencies.get(word, 0.0) + weight * count
    positions: dict[str, list[int]] = {}
    for at, word in enumerate(words, 1):
        positions.setdefault(word, []).append(min(at, MAX_POSITION))
    document = " ".join(f"'{word}':{','.join(map(str, at))}" for word, at in positions.items())
    return (work_id, len(words), *fields, orjson.dumps(frequencies).decode(), document)


def _pg_search(conn: Connection, query: str, limit: int) -> list[tuple[int, float, str]]:
    texts = ", ".join(f"f.{c}" for c in COLUMNS)
    if not _is_plain(query):
        return _pg_websearch(conn, query, limit, texts)
    terms = [t for word in _query_words(query) for t in tokens(word)]
    if not terms:
        raise InvalidInputError(f"nothing to search for in {query!r}")
    params: dict[str, Any] = {f"t{i}": term for i, term in enumerate(terms)}
    params["q"] = " & ".join(f"'{term}':*" for term in terms)
    params["limit"] = limit
    rows, avgdl = conn.execute(
        text("SELECT count(*), coalesce(avg(length), 0) FROM work_fts")
    ).one()
    for i, term in enumerate(terms):  # IDF as FTS5 computes it, floored at 1e-6
        hits = conn.execute(
            text("SELECT count(*) FROM work_fts WHERE document @@ CAST(:q AS tsquery)"),
            {"q": f"'{term}':*"},
        ).scalar_one()
        idf = math.log((rows - hits + 0.5) / (hits + 0.5))
        params[f"idf{i}"] = idf if idf > 0 else 1e-6
    params["avgdl"] = float(avgdl) or 1.0
    frequencies = ", ".join(  # the weighted count of the tokens each term begins
        f"(SELECT coalesce(sum(CAST(e.value AS float8)), 0) FROM "
        f"jsonb_each_text(f.frequencies) AS e WHERE starts_with(e.key, :t{i})) AS f{i}"
        for i in range(len(terms))
    )
    length = f"{K1} * ({1 - B} + {B} * f.length / CAST(:avgdl AS float8))"
    score = " + ".join(
        f"CAST(:idf{i} AS float8) * q.f{i} * {K1 + 1} / (q.f{i} + {length})"
        for i in range(len(terms))
    )
    sql = text(
        f"SELECT f.work_id, {score} AS score, {texts} FROM work_fts AS f "
        f"CROSS JOIN LATERAL (SELECT {frequencies}) AS q "
        "WHERE f.document @@ CAST(:q AS tsquery) ORDER BY score DESC, f.work_id LIMIT :limit"
    )
    return _found(conn.execute(sql, params).all(), terms)


def _pg_websearch(
    conn: Connection, query: str, limit: int, texts: str
) -> list[tuple[int, float, str]]:
    if query.count('"') % 2:
        raise InvalidInputError(
            f"cannot search for {query!r}: unterminated string (quote a phrase: '\"a b\"')"
        )
    parts = re.findall(r'"[^"]*"|\S+', query)
    folded = []  # websearch syntax: "a phrase", OR, -word; words folded as the index is
    for part in parts:
        if part in ("AND", "NEAR"):
            continue
        if part in ("OR", "NOT"):
            folded.append(part if part == "OR" else "-")
        elif part.startswith('"'):
            folded.append('"' + " ".join(tokens(part)) + '"')
        else:
            folded.append(("-" if part.startswith("-") else "") + " ".join(tokens(part)))
    sql = text(
        f"SELECT f.work_id, ts_rank(f.document, q.query) AS score, {texts} "
        "FROM work_fts AS f, websearch_to_tsquery('simple', :q) AS q(query) "
        "WHERE f.document @@ q.query ORDER BY score DESC, f.work_id LIMIT :limit"
    )
    found = conn.execute(sql, {"q": " ".join(folded), "limit": limit}).all()
    return _found(found, _terms(query))


def snippet(fields: Sequence[str], terms: Sequence[str]) -> str:
    """The field and window of 12 tokens showing the most of the query, hits in brackets.

    Written here, not left to FTS5's ``snippet()``, so that both backends give the same text:
    a window scores 1000 per distinct term it shows and 1 per repeat; the earliest best wins.
    """
    best: tuple[int, int, int] | None = None  # (score, field, start), ordered for max()
    parsed = []
    for number, value in enumerate(fields):
        words = list(_TOKEN.finditer(value))
        hits = {}
        for i, word in enumerate(words):
            folded = "".join(tokens(word.group()))
            found = next((t for t in terms if folded.startswith(t)), None)
            if found is not None:
                hits[i] = found
        parsed.append((value, words, hits))
        for first in hits:
            start = max(0, min(first, len(words) - SNIPPET_TOKENS))
            shown = [hits[i] for i in range(start, start + SNIPPET_TOKENS) if i in hits]
            score = 1000 * len(set(shown)) + len(shown) - len(set(shown))
            if best is None or score > best[0]:
                best = (score, number, start)
    if best is None:
        return ""
    _, number, start = best
    value, words, hits = parsed[number]
    window = words[start : start + SNIPPET_TOKENS]
    pieces = ["…" if start > 0 else value[: window[0].start()]]
    for i, word in enumerate(window):
        if i:
            pieces.append(value[window[i - 1].end() : word.start()])
        pieces.append(f"[{word.group()}]" if start + i in hits else word.group())
    more = start + len(window) < len(words)
    pieces.append("…" if more else value[window[-1].end() :])
    return "".join(pieces)
