"""Per-trust publication time and how it falls with more workers (issue 6).

``python -m bench.publication_workers --warehouse FILE [--organisations N] [--workers 1,2,4]
[--workdir DIR] [--config wres.toml]`` copies the warehouse into the work folder (the original is
never opened), optionally keeps only its first ``N`` organisations (in code order), and for each
worker count runs ``wres.publish.prepare_publication`` with ``publication_workers`` set to it, into
a fresh out folder so that no snapshot is skipped as unchanged.

Each worker count runs in a fresh Python process (``subprocess``), one after the other, so that
every count pays the same imports and its own spawn pool's start-up, and none inherits warm caches
from another. "wall s" is the time of the ``prepare_publication`` call alone (reading the
warehouse, rendering every unit, pool start-up included); "process s" is the whole child process,
imports included. A unit is one (organisation, snapshot) folder, counted after the run by the
report each unit writes; the national reports (one per snapshot when there are several
organisations) are counted apart, and their time is in the wall time. It prints a table and
writes ``publication_workers.json`` in the work folder. Timings belong in this output, never in timed tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_NAME = "publication_workers.json"
QUIET = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


@dataclass(frozen=True)
class WorkerRun:
    """One worker count's publication: (organisation, snapshot) units written, national reports
    written (one per snapshot when there are several organisations; their time is in ``wall_s``),
    the call's wall time and the whole process's."""

    workers: int
    units: int
    wall_s: float
    process_s: float
    national_reports: int = 0

    @property
    def s_per_unit(self) -> float:
        return self.wall_s / self.units if self.units else float("nan")


# ---------------------------------------------------------------------------------------------
# The warehouse to publish from: a copy, optionally with fewer organisations


def organisation_codes(warehouse: Path) -> list[str]:
    """Every organisation of ``marts.wres_indicators``, in code order."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select distinct organisation_code from marts.wres_indicators order by organisation_code"
        ).fetchall()
    finally:
        con.close()
    return [code for (code,) in rows]


def reduced_warehouse(source: Path, target: Path, organisations: int | None) -> list[str]:
    """Copy ``source`` to ``target`` and, when ``organisations`` is given, delete from every base
    table of the ``marts`` schema that has an ``organisation_code`` every row of an organisation
    after the first ``organisations`` (in code order); return the organisations kept.

    Views (``marts.wres_indicator_trends``) are left as they are: they read the reduced tables.
    The disclosure flags stay those of the full warehouse, as the publication of the full
    warehouse would show them. ``source`` is only read.
    """
    if organisations is not None and organisations < 1:
        raise ValueError(f"--organisations must be at least 1, got {organisations}")
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):  # a write-ahead log beside the source holds committed changes too
        copy = target.with_name(target.name + suffix)
        copy.unlink(missing_ok=True)
        if source.with_name(source.name + suffix).exists():
            shutil.copyfile(source.with_name(source.name + suffix), copy)
    every = organisation_codes(target)
    if organisations is None or organisations >= len(every):
        return every
    kept = every[:organisations]
    con = duckdb.connect(str(target))
    try:
        tables = con.execute(
            "select t.table_name from duckdb_tables() t join duckdb_columns() c "
            "on c.database_name = t.database_name and c.schema_name = t.schema_name "
            "and c.table_name = t.table_name "
            "where t.database_name = current_database() and t.schema_name = 'marts' "
            "and c.column_name = 'organisation_code' order by t.table_name"
        ).fetchall()
        placeholders = ", ".join("?" for _ in kept)
        for (table,) in tables:
            con.execute(f'delete from marts."{table}" where organisation_code not in ({placeholders})', kept)
        con.execute("checkpoint")
    finally:
        con.close()
    left = organisation_codes(target)
    if left != kept:  # a marts table the delete missed would publish the wrong organisations
        raise RuntimeError(f"the reduced warehouse holds {len(left)} organisations, not {len(kept)}")
    return kept


def unit_pairs(warehouse: Path) -> int:
    """The (organisation, snapshot) pairs of ``marts.wres_indicators``: the units to publish."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (count,) = con.execute(
            "select count(*) from "
            "(select distinct organisation_code, snapshot_date from marts.wres_indicators)"
        ).fetchone()
    finally:
        con.close()
    return int(count)


# ---------------------------------------------------------------------------------------------
# One worker count, in its own process


def count_units(out: Path) -> int:
    """(organisation, snapshot) units written under ``out/.versions``: each writes exactly one report."""
    from wres.publish import REPORT_NAME, VERSIONS

    return sum(1 for _ in (out / VERSIONS).rglob(REPORT_NAME))


def count_national_reports(out: Path) -> int:
    """National reports written under ``out/.versions`` (none where the publication has none)."""
    from wres import publish

    name = getattr(publish, "NATIONAL_REPORT_NAME", None)
    return sum(1 for _ in (out / publish.VERSIONS).rglob(name)) if name else 0


def publish_once(warehouse: Path, out: Path, workers: int, config: Path | None) -> dict[str, float | int]:
    """Run ``prepare_publication`` with ``workers`` into the empty folder ``out`` (in this process);
    return the units written and the call's wall time."""
    from wres.config import load_settings
    from wres.publish import prepare_publication, render_locally

    if out.exists() and any(out.iterdir()):
        raise RuntimeError(f"{out} is not empty: every worker count publishes into a fresh folder")
    settings = dataclasses.replace(load_settings(config).with_paths(out=out), publication_workers=workers)
    started = time.perf_counter()
    prepared = prepare_publication(warehouse, settings, render=render_locally)
    wall = time.perf_counter() - started
    if prepared is None:
        raise RuntimeError("the warehouse has no snapshot to publish")
    return {"units": count_units(out), "national_reports": count_national_reports(out), "wall_s": wall}


def run_in_fresh_process(
    warehouse: Path, out: Path, workers: int, config: Path | None, log: Path
) -> WorkerRun:
    """``publish_once`` in a new ``python`` process (its console goes to ``log``)."""
    result = out.with_name(out.name + ".json")
    command = [
        sys.executable,
        "-m",
        "bench.publication_workers",
        "--one-run",
        str(result),
        "--warehouse",
        str(warehouse),
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    if config is not None:
        command += ["--config", str(config)]
    env = {
        **os.environ,
        **QUIET,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    started = time.perf_counter()
    with open(log, "wb") as console:
        completed = subprocess.run(command, cwd=out.parent, env=env, stdout=console, stderr=subprocess.STDOUT)
    process = time.perf_counter() - started
    if completed.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(
            f"publication with {workers} worker(s) failed (exit {completed.returncode}):\n{tail}"
        )
    figures = json.loads(result.read_text(encoding="utf-8"))
    return WorkerRun(
        workers=workers,
        units=int(figures["units"]),
        wall_s=float(figures["wall_s"]),
        process_s=process,
        national_reports=int(figures["national_reports"]),
    )


# ---------------------------------------------------------------------------------------------
# The table


def table(runs: list[WorkerRun], cpus: int | None) -> str:
    """The printed table. "s per unit" is wall s over the (organisation, snapshot) units (the
    national reports' time included); speed-up is the 1-worker wall time over each row's (blank
    without a 1-worker row).

    >>> print(table([WorkerRun(1, 4, 8.0, 10.0, 2), WorkerRun(2, 4, 5.0, 7.0, 2)], 2))
    workers  units  national  wall s  s per unit  speed-up  process s
          1      4         2     8.0       2.000      1.00       10.0
          2      4         2     5.0       1.250      1.60        7.0
    os.cpu_count() = 2
    """
    base = next((r.wall_s for r in runs if r.workers == 1), None)
    lines = [
        f"{'workers':>7}  {'units':>5}  {'national':>8}  {'wall s':>6}  {'s per unit':>10}  "
        f"{'speed-up':>8}  {'process s':>9}"
    ]
    for r in runs:
        speed_up = f"{base / r.wall_s:.2f}" if base is not None and r.wall_s > 0 else ""
        lines.append(
            f"{r.workers:>7}  {r.units:>5}  {r.national_reports:>8}  {r.wall_s:>6.1f}  "
            f"{r.s_per_unit:>10.3f}  {speed_up:>8}  {r.process_s:>9.1f}"
        )
    lines.append(f"os.cpu_count() = {cpus}")
    return "\n".join(lines)


def results_document(source: Path, organisations: list[str], runs: list[WorkerRun], cpus: int | None) -> dict:
    base = next((r.wall_s for r in runs if r.workers == 1), None)
    return {
        "warehouse": str(source),
        "organisations": len(organisations),
        "cpu_count": cpus,
        "runs": [
            {
                **asdict(r),
                "s_per_unit": r.s_per_unit,
                "speed_up": (base / r.wall_s) if base is not None and r.wall_s > 0 else None,
            }
            for r in runs
        ],
    }


# ---------------------------------------------------------------------------------------------
# Command line


def _worker_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected worker counts like 1,2,4, got {text!r}") from error
    if not counts or any(count < 1 for count in counts):
        raise argparse.ArgumentTypeError(f"expected worker counts of at least 1, got {text!r}")
    return counts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.publication_workers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--warehouse", type=Path, required=True, help="a built WRES warehouse (only read)")
    parser.add_argument("--organisations", type=int, default=None, help="keep only the first N organisations")
    parser.add_argument("--workers", type=_worker_counts, default=[1, 2, 4], help="worker counts, e.g. 1,2,4")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/wres-publication-workers"))
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="settings file (default: WORKDIR/wres.toml if there is one, else the defaults)",
    )
    # internal: one worker count, in the fresh process run_in_fresh_process starts
    parser.add_argument("--one-run", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.one_run is not None:
        figures = publish_once(args.warehouse, args.out, args.workers[0], args.config)
        args.one_run.write_text(json.dumps(figures), encoding="utf-8")
        return 0
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    config = args.config.resolve() if args.config else None
    warehouse = workdir / "warehouse.duckdb"
    kept = reduced_warehouse(args.warehouse.resolve(), warehouse, args.organisations)
    print(f"warehouse: {len(kept)} organisation(s), {unit_pairs(warehouse)} (organisation, snapshot) units")
    runs: list[WorkerRun] = []
    for workers in args.workers:
        out = workdir / f"out-{workers}-workers"
        shutil.rmtree(out, ignore_errors=True)
        out.with_name(out.name + ".json").unlink(missing_ok=True)
        out.mkdir()
        run = run_in_fresh_process(warehouse, out, workers, config, workdir / f"out-{workers}-workers.log")
        print(f"  {workers} worker(s): {run.units} units in {run.wall_s:.1f} s", flush=True)
        runs.append(run)
    cpus = os.cpu_count()
    print(table(runs, cpus))
    document = results_document(args.warehouse.resolve(), kept, runs, cpus)
    (workdir / RESULTS_NAME).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
