"""Settings: command-line option > environment variable > config file > default.

The config file is TOML in the platform's config folder (``phbrefs config path`` prints it);
``PHBREFS_CONFIG`` points elsewhere, which the tests use.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from phbrefs import fileio
from phbrefs.db.location import Location
from phbrefs.errors import InvalidInputError

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
DEFAULT_CHAIN = "crossref,europepmc,pubmed,openalex,unpaywall"

# key -> (environment variable, default, description)
SETTINGS: dict[str, tuple[str, str | None, str]] = {
    "db": (
        "PHBREFS_DB",
        "library.db",
        "library: a SQLite file, or postgresql://user@host/name for a team server",
    ),
    "crossref_url": ("PHBREFS_CROSSREF_URL", DEFAULT_CROSSREF_URL, "Crossref REST API base URL"),
    "mailto": ("PHBREFS_MAILTO", None, "contact e-mail (Crossref, NCBI, OpenAlex, Unpaywall)"),
    "europepmc_url": (
        "PHBREFS_EUROPEPMC_URL",
        "https://www.ebi.ac.uk/europepmc/webservices/rest",
        "Europe PMC REST API base URL",
    ),
    "pubmed_url": (
        "PHBREFS_PUBMED_URL",
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
        "NCBI E-utilities base URL",
    ),
    "openalex_url": ("PHBREFS_OPENALEX_URL", "https://api.openalex.org", "OpenAlex API base URL"),
    "unpaywall_url": ("PHBREFS_UNPAYWALL_URL", "https://api.unpaywall.org", "Unpaywall base URL"),
    "ncbi_api_key": ("PHBREFS_NCBI_API_KEY", None, "NCBI API key (10 requests/s instead of 3)"),
    "openalex_api_key": ("PHBREFS_OPENALEX_API_KEY", None, "OpenAlex API key"),
    "enrich_chain": (
        "PHBREFS_ENRICH_CHAIN",
        DEFAULT_CHAIN,
        "where missing abstracts and identifiers are looked for, in order",
    ),
    "exports_dir": ("PHBREFS_EXPORTS", "exports", "where tables and figures are written"),
    "cache": ("PHBREFS_CACHE", None, "HTTP cache file ('off' to disable; default: user cache)"),
    "timeout": ("PHBREFS_TIMEOUT", "20", "seconds to wait for a server"),
    "coder": (
        "PHBREFS_CODER",
        None,
        "who you are, recorded on findings, judgements, tags and merges (default: login name)",
    ),
    "lock_timeout": (
        "PHBREFS_LOCK_TIMEOUT",
        "30",
        "seconds a write waits for another phbrefs process to finish its write",
    ),
}


def config_path() -> Path:
    override = os.environ.get("PHBREFS_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("phbrefs")) / "config.toml"


def read_config_file(path: Path | None = None) -> dict[str, str]:
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"config file {path} is not valid TOML: {error}") from error
    return {k: str(v) for k, v in data.items() if k in SETTINGS}


def write_config_value(key: str, value: str | None, path: Path | None = None) -> Path:
    """Set (or with None, unset) one key in the config file, keeping the others."""
    if key not in SETTINGS:
        raise InvalidInputError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    path = path or config_path()
    values = read_config_file(path)
    if value is None:
        values.pop(key, None)
    else:
        values[key] = value
    # JSON string literals are valid TOML basic strings.
    lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(values.items())]
    fileio.write_text(path, "\n".join(lines) + ("\n" if lines else ""))
    return path


def default_cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("phbrefs")) / "http-cache.sqlite"


@dataclass(frozen=True)
class Settings:
    db: Location
    crossref_url: str
    mailto: str | None
    exports_dir: Path
    cache: Path | None  # None: no HTTP cache
    timeout: float
    coder: str | None
    lock_timeout: float
    europepmc_url: str = ""
    pubmed_url: str = ""
    openalex_url: str = ""
    unpaywall_url: str = ""
    ncbi_api_key: str | None = None
    openalex_api_key: str | None = None
    enrich_chain: tuple[str, ...] = tuple(DEFAULT_CHAIN.split(","))

    @property
    def who(self) -> str:
        """The name recorded on what this user changes: ``coder``, else the login name."""
        if self.coder:
            return self.coder
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no login name (some containers)
            return "unknown"

    @classmethod
    def load(cls, **overrides: str | None) -> Settings:
        """Resolve every setting; ``overrides`` are command-line values (None = not given)."""
        file_values = read_config_file()
        resolved: dict[str, str | None] = {}
        origins: dict[str, str] = {}  # where each value came from, for error messages
        for key, (env, default, _) in SETTINGS.items():
            value, origins[key] = overrides.get(key), "the command line"
            if value is None and os.environ.get(env):
                value, origins[key] = os.environ[env], env
            elif value is None and file_values.get(key):
                value, origins[key] = file_values[key], f"config file {config_path()}"
            resolved[key] = value if value is not None else default
        cache = resolved["cache"]
        return cls(
            db=Location(resolved["db"] or "library.db"),
            crossref_url=(resolved["crossref_url"] or DEFAULT_CROSSREF_URL).rstrip("/"),
            mailto=resolved["mailto"],
            exports_dir=Path(resolved["exports_dir"] or "exports"),
            cache=None if cache == "off" else Path(cache) if cache else default_cache_path(),
            timeout=_seconds(resolved, "timeout", origins["timeout"]),
            coder=resolved["coder"],
            lock_timeout=_seconds(resolved, "lock_timeout", origins["lock_timeout"]),
            europepmc_url=(resolved["europepmc_url"] or "").rstrip("/"),
            pubmed_url=(resolved["pubmed_url"] or "").rstrip("/"),
            openalex_url=(resolved["openalex_url"] or "").rstrip("/"),
            unpaywall_url=(resolved["unpaywall_url"] or "").rstrip("/"),
            ncbi_api_key=resolved["ncbi_api_key"],
            openalex_api_key=resolved["openalex_api_key"],
            enrich_chain=parse_chain(resolved["enrich_chain"] or DEFAULT_CHAIN),
        )


def parse_chain(text: str) -> tuple[str, ...]:
    """Source names in order (checked against the registry when enrichment runs)."""
    return tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))


MAX_SECONDS = 86400.0  # a day: far past any real wait, and inside every clock and driver's range


def _seconds(resolved: dict[str, str | None], key: str, origin: str) -> float:
    """A wait in seconds, checked alike wherever it was set: 0, ``inf``, ``nan`` or ``1e12``
    used to get through and fail later, as a traceback or a lock "held for more than inf s"."""
    text = resolved[key] or SETTINGS[key][1] or ""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_SECONDS:  # also refuses nan
        raise InvalidInputError(
            f"{key} must be a number of seconds above 0 and at most {MAX_SECONDS:g}, "
            f"not {text!r} (from {origin})"
        )
    return value
