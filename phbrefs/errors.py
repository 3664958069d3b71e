"""One exception hierarchy for the whole core, and the one table of exit codes.

The core raises these; only the CLI turns them into a one-line message and ``ExitCode``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (see README, "Exit codes")."""

    OK = 0
    ERROR = 1  # unexpected failure
    USAGE = 2  # bad command-line usage (Click's own code)
    INVALID_INPUT = 3  # malformed DOI, unparsable file, failed validation
    NOT_FOUND = 4  # unknown citekey, claim or DOI
    NETWORK = 5  # server unreachable, timed out or answering errors
    PARTIAL = 6  # a batch where some items did not succeed
    STORAGE = 7  # the library database cannot be opened or written
    ABORTED = 8  # the user declined a confirmation
    OUTPUT = 9  # an output file cannot be written (disk full, no permission, not a regular file)
    NOTICES = 10  # new notices found by ``check``; cited retracted works (``cite --strict``)
    INTERRUPTED = 130  # Ctrl-C


class PhbrefsError(Exception):
    """Base of every error phbrefs raises on purpose."""

    exit_code: ExitCode = ExitCode.ERROR


class InvalidInputError(PhbrefsError):
    exit_code = ExitCode.INVALID_INPUT


class InvalidDOIError(InvalidInputError):
    def __init__(self, text: str) -> None:
        super().__init__(f"not a DOI: {text!r}")
        self.text = text


class ParseError(InvalidInputError):
    """An input file (BibTeX, RIS, spreadsheet...) that cannot be read, with where and why."""

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


class ValidationError(InvalidInputError):
    """Input that parses but breaks a rule; ``problems`` lists every one found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class NotFoundError(PhbrefsError):
    exit_code = ExitCode.NOT_FOUND


class UnknownKeyError(NotFoundError):
    def __init__(self, key: str, suggestion: str | None = None) -> None:
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"no work with key or DOI {key!r} in the library{hint}")
        self.key = key
        self.suggestion = suggestion


class SourceError(PhbrefsError):
    """A remote source (Crossref...) could not be reached or answered with errors."""

    exit_code = ExitCode.NETWORK


class StorageError(PhbrefsError):
    exit_code = ExitCode.STORAGE


class OutputError(PhbrefsError):
    """A file phbrefs was asked to write cannot be written; the previous one is left intact."""

    exit_code = ExitCode.OUTPUT


class AbortedError(PhbrefsError):
    exit_code = ExitCode.ABORTED
