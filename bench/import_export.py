"""Benchmark: BibTeX and RIS import and export of 10,000 records.

Records come from the recorded Crossref works (mapped with phbrefs.sources.crossref), varied so
that no two are alike: perturbed titles, years and authors, accents and LaTeX specials. Prints
the bare parser's time (bibtexparser 2 with its default stack; rispy) against phbrefs's parse
(mapping to WorkRecord with LaTeX decoding, names, inheritance) and full import (parse, matching
against the library, one-transaction insert), and each format's export time.

    python bench/import_export.py            # 10,000 records
    python bench/import_export.py --n 2000   # a quicker run

Beside the generated records it imports a real Zotero export (bench/data, see PROVENANCE.md),
its entries repeated with distinct keys to the same size, against the bare parse of that text.

Last, the library the BibTeX import built is exported again against ``pubs export`` of the same
works (imported into pubs, installed into bench/.pubs-venv by bench/startup.py): in process
(loading the works, then writing them) and as whole processes (goal: faster than pubs).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rows import report  # noqa: E402

from phbrefs.formats import get_exporter, get_importer  # noqa: E402
from phbrefs.library import Library, StoredWork  # noqa: E402
from phbrefs.records import Contributor, PartialDate, WorkRecord  # noqa: E402
from phbrefs.sources.crossref import record_from_crossref  # noqa: E402

REAL_EXPORT = ROOT / "bench/data/bbt-whopping-library-excerpt.bib"
WORKS = [Path("/work/shared/fixtures/crossref/works"), ROOT / "tests/fixtures/crossref/works"]
# whole-process exports per side against pubs: this shared machine's speed drifts by half from
# run to run, so one pair of runs can land either way (0.93x-1.54x seen with 3 rounds)
EXPORT_ROUNDS = 9
SPICE = ["&", "50%", "$x$", "#1", "R_0", "{braces}", "~", "Müller", "São Paulo", "Øresund", "naïve"]
NAMES = [("Zoë", "Brontë"), ("José", "Núñez"), ("Jan", "van der Berg"), ("Łukasz", "Wójcik")]


def base_records() -> list[WorkRecord]:
    folder = next(p for p in WORKS if p.exists())
    records = []
    for path in sorted(folder.glob("*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        if isinstance(message, dict) and message.get("title"):
            records.append(record_from_crossref(message))
    return records


def varied(records: list[WorkRecord], n: int, rng: random.Random) -> list[WorkRecord]:
    """``n`` distinct records: each a real record with its title, year and authors perturbed."""
    out = []
    for i in range(n):
        record = WorkRecord.from_dict(records[i % len(records)].to_dict())
        words = (record.title or "Untitled").split()
        rng.shuffle(words)
        words.insert(rng.randrange(len(words) + 1), rng.choice(SPICE))
        record.title = f"{' '.join(words)} {i}"
        record.issued = PartialDate(rng.randint(1990, 2026), rng.choice([None, rng.randint(1, 12)]))
        given, family = rng.choice(NAMES)
        record.contributors = [*record.contributors[:5], Contributor(given=given, family=family)]
        record.doi = f"10.5555/bench.{i}" if rng.random() < 0.8 else None
        record.url = f"https://doi.org/{record.doi}" if record.doi else None
        record.raw = None
        out.append(record)
    return out


def real_export(n: int) -> str:
    """The real export's entries repeated to ``n``, each copy's keys suffixed to stay distinct."""
    entries = re.split(r"\n(?=@)", REAL_EXPORT.read_text(encoding="utf-8").strip())
    copies = []
    for i in range(n):
        entry = entries[i % len(entries)]
        copies.append(re.sub(r"^(@\w+\{)([^,]+),", rf"\g<1>\g<2>-{i},", entry))
    return "\n\n".join(copies) + "\n"


def stored(records: list[WorkRecord]) -> list[StoredWork]:
    now = datetime(2026, 1, 1)
    return [StoredWork(i, f"key{i}", r, now, now) for i, r in enumerate(records)]


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds, result): on a loaded machine the CPU time is the steadier.
    The CPU time counts the processes it forked and ended (the parse workers) too."""
    gc.collect()  # each timing starts from a clean heap, not paying for earlier garbage
    start, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, time.process_time() + _children_cpu() - cpu, result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_import(name: str, text: str, bare, folder: Path, fmt: str | None = None) -> None:  # type: ignore[no-untyped-def]
    from phbrefs.importing import import_batches, parse_input

    bare_time, bare_cpu, _ = timed(bare, text)
    parse_time, parse_cpu, batch = timed(parse_input, text, f"bench.{name}", fmt or name)
    library = Library(folder / f"{name}.db")
    import_time, import_cpu, imported = timed(import_batches, library, [batch])
    library.close()
    stream_time, stream_cpu, streamed = timed(
        streamed_import, text, f"bench.{name}", fmt or name, folder / f"{name}-streamed.db"
    )
    assert streamed.summary() == imported.summary()
    print(
        f"{name:8} bare parse {bare_time:6.2f} s | phbrefs parse {parse_time:6.2f} s "
        f"({parse_time / bare_time:.2f}x) | full import {parse_time + import_time:6.2f} s "
        f"({(parse_time + import_time) / bare_time:.2f}x) | {imported.summary()}\n"
        f"{'':8} CPU: bare {bare_cpu:6.2f} s | parse {parse_cpu:6.2f} s "
        f"({parse_cpu / bare_cpu:.2f}x) | full import {parse_cpu + import_cpu:6.2f} s "
        f"({(parse_cpu + import_cpu) / bare_cpu:.2f}x; parse workers' CPU included)\n"
        f"{'':8} streamed (chunk by chunk, as ``phbrefs import``): {stream_time:6.2f} s "
        f"({stream_time / bare_time:.2f}x) | CPU {stream_cpu:6.2f} s "
        f"({stream_cpu / bare_cpu:.2f}x)"
    )
    if name == "ris":
        report(
            f"RIS import, {batch.size // 1000}k (`phbrefs import`'s streamed way)",
            f"{stream_time:.2f} s (CPU {stream_cpu:.2f} s)",
            f"bare `rispy` parse {bare_time:.2f} s (CPU {bare_cpu:.2f} s)",
            f"{stream_time / bare_time:.2f}× wall, {stream_cpu / bare_cpu:.2f}× CPU",
            "≤ 2×",
            stream_cpu <= 2 * bare_cpu,
        )


def streamed_import(text: str, origin: str, fmt: str, path: Path):  # type: ignore[no-untyped-def]
    """``phbrefs import``'s way: parsed a chunk at a time as the import goes."""
    from phbrefs.importing import import_batches, read_input

    library = Library(path)
    report = import_batches(library, [read_input(text, origin, fmt)])
    library.close()
    return report


def bare_write(text: str, works: list[StoredWork]) -> None:
    """The reference for BibTeX export: bibtexparser 2 writing the same entries (parsed from
    phbrefs's export beforehand, outside the timing), against phbrefs's export of them."""
    import bibtexparser

    exporter = get_exporter("bibtex")
    library = bibtexparser.parse_string(text)
    write_time, write_cpu, _ = timed(bibtexparser.write_string, library)
    ours_time, ours_cpu, _ = timed(exporter.export, works)
    print(
        f"  bibtex: bare bibtexparser write {write_time:.2f} s (CPU {write_cpu:.2f} s); phbrefs "
        f"{ours_time:.2f} s (CPU {ours_cpu:.2f} s): {ours_time / write_time:.2f}x wall, "
        f"{ours_cpu / write_cpu:.2f}x CPU"
    )
    report(
        f"BibTeX export, {len(works) // 1000}k, against a bare write",
        f"{ours_time:.2f} s (CPU {ours_cpu:.2f} s)",
        f"bibtexparser write {write_time:.2f} s (CPU {write_cpu:.2f} s)",
        f"{ours_time / write_time:.2f}× wall, {ours_cpu / write_cpu:.2f}× CPU",
        "≤ 1.5×",
        ours_cpu <= 1.5 * write_cpu,
    )


PUBS_EXPORT = """
import sys, time
from pubs import config, endecoder, repo
conf = config.load_conf(sys.argv[1])
start = time.process_time()
papers = list(repo.Repository(conf).all_papers())
loaded = time.process_time()
endecoder.EnDecoder().encode_bibdata({p.citekey: p.bibdata for p in papers}, [])
print(len(papers), loaded - start, time.process_time() - loaded)
"""


def against_pubs(folder: Path, db: Path) -> None:
    """``phbrefs export --format bibtex`` of the library at ``db`` against ``pubs export`` of
    the same works: in process (load, then write; CPU seconds) and as whole processes."""
    import subprocess

    from startup import medians, pubs_command

    from phbrefs.db.location import Location
    from phbrefs.db.reader import open_reader

    env = {**os.environ, "PHBREFS_CONFIG": str(folder / "config.toml"), "PHBREFS_CACHE": "off"}
    env.pop("PHBREFS_DB", None)
    bib = folder / "export.bib"
    phbrefs = [sys.executable, "-m", "phbrefs", "--db", str(db), "export", "--format", "bibtex"]
    subprocess.run([*phbrefs, "--all", "-o", str(bib)], env=env, check=True, capture_output=True)
    pubs, config = pubs_command(), folder / "pubsrc"
    pubs_env = {**env, "HOME": str(folder)}
    for args in (["init", "-p", str(folder / "pubs")], ["import", str(bib)]):
        subprocess.run(
            [str(pubs), "-c", str(config), *args], env=pubs_env, check=True, capture_output=True
        )
    python = pubs.parent / "python"
    answer = subprocess.run(
        [str(python), "-c", PUBS_EXPORT, str(config)], env=pubs_env, check=True, text=True,
        capture_output=True,
    ).stdout.split()  # fmt: skip
    pubs_count, pubs_load, pubs_write = int(answer[0]), float(answer[1]), float(answer[2])
    with open_reader(Location(str(db))) as source:
        _, load_cpu, works = timed(source.works)
    _, write_cpu, _ = timed(get_exporter("bibtex").export, works)
    print(
        f"\nbibtex export of {len(works)} works against pubs export of {pubs_count}, in process "
        f"(CPU): load + write\n"
        f"  phbrefs {load_cpu:.2f} + {write_cpu:.2f} = {load_cpu + write_cpu:.2f} s | pubs "
        f"{pubs_load:.2f} + {pubs_write:.2f} = {pubs_load + pubs_write:.2f} s "
        f"({(load_cpu + write_cpu) / (pubs_load + pubs_write):.2f}x pubs)"
    )
    (pubs_wall, pubs_cpu), (ours_wall, ours_cpu) = medians(
        [
            ([str(pubs), "-c", str(config), "export"], pubs_env),
            ([*phbrefs, "--all", "-o", str(folder / "again.bib")], env),
        ],
        repeat=EXPORT_ROUNDS,
    )
    print(
        f"  whole processes (medians of {EXPORT_ROUNDS}, alternating): "
        f"pubs export {pubs_wall:.2f} s (CPU {pubs_cpu:.2f} s)"
        f" | phbrefs export {ours_wall:.2f} s (CPU {ours_cpu:.2f} s): "
        f"{ours_wall / pubs_wall:.2f}x wall, {ours_cpu / pubs_cpu:.2f}x CPU (goal < 1)"
    )
    report(
        f"BibTeX export, {len(works) // 1000}k, whole processes",
        f"{ours_wall:.2f} s (CPU {ours_cpu:.2f} s)",
        f"`pubs export` {pubs_wall:.2f} s (CPU {pubs_cpu:.2f} s)",
        f"{ours_wall / pubs_wall:.2f}× wall, {ours_cpu / pubs_cpu:.2f}× CPU",
        "faster than pubs",
        ours_wall < pubs_wall,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(2026)
    records = varied(base_records(), args.n, rng)
    works = stored(records)
    print(f"{len(records)} records from the recorded Crossref works, varied")
    print("load average at start: {:.2f} {:.2f} {:.2f}\n".format(*os.getloadavg()))

    print("export (WorkRecord -> text)")
    texts = {}
    for fmt in ("bibtex", "biblatex", "ris", "csljson"):
        try:
            exporter = get_exporter(fmt)
        except ImportError:
            continue
        seconds, cpu, texts[fmt] = timed(exporter.export, works)
        print(f"  {fmt:8} {seconds:6.2f} s, CPU {cpu:5.2f} s ({len(texts[fmt]) / 1e6:.1f} MB)")
    bare_write(texts["bibtex"], works)

    print("\nimport (text -> library)")
    import bibtexparser
    import rispy

    with tempfile.TemporaryDirectory() as folder:
        bench_import("bibtex", texts["bibtex"], bibtexparser.parse_string, Path(folder))
        bench_import("biblatex", texts["biblatex"], bibtexparser.parse_string, Path(folder))
        bench_import("ris", texts["ris"], rispy.loads, Path(folder))
        print(f"\na real Zotero export ({REAL_EXPORT.name}), repeated to {args.n} entries")
        bench_import(
            "zotero", real_export(args.n), bibtexparser.parse_string, Path(folder), "bibtex"
        )
        # a library export: load the works back, then write each format
        library = Library(Path(folder) / "bibtex.db")
        load_time, _, loaded = timed(library.works)
        library.close()
        print(f"\nexport from a library of {len(loaded)}: Library.works takes {load_time:.2f} s")
        against_pubs(Path(folder), Path(folder) / "bibtex.db")
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    assert get_importer("ris").name == "ris"


if __name__ == "__main__":
    main()
