"""What the contract's mandated pieces cost at least, beside the DuckDB floor: the budget a compute
stage within 3x the floor (issue 6) has to fit everything into.

``python -m bench.mandated_minimum --inbox /tmp/wres-bench/inbox --workdir /tmp/wres-minimum``
times, in one process on the same inbox, each piece the contract makes every implementation do,
each done the quickest way this project knows and with none of the product's own rules:

- ``floor``: ``bench.duckdb_floor`` (every file read once, the core counts taken in one pass);
- ``store once``: every file read once by DuckDB's ``read_csv`` (all text: no typing, no checks)
  and written into a state file, checkpointed. The state must hold every loaded row: a file's
  bytes load once and later runs build from what was stored (CONTRACT section 1);
- ``copy into a warehouse``: every stored table copied once into a second DuckDB file, checkpointed:
  the analyst warehouse is a file of its own with row-level staging tables, apart from the state
  (section 3);
- ``pseudonyms``: the keyed hash of every identifier value (``wres.pseudonymise``'s HMAC-SHA256 of
  the comparable identifier, without writing it as UUID text);
- ``Great Expectations``: the project's suites run on each file's checked columns
  (``wres.validation``), the library's imports and the frames' preparation not counted;
- ``or copy the state file``: the state file copied whole and flushed to disk, the cheaper way to a
  warehouse apart from the state (in a redesign whose state is laid out as the warehouse's staging).

The pieces are summed and set against the floor, once with the table copy and once with the file
copy instead; a last line spreads the second sum's processor time perfectly over the cores.
Reading each file into Python for the hash and the suites, typing the values, the contract's other
checks, staging, marts and disclosure control all come on top, so the sum is a lower bound of the
compute stage. It writes nothing but WORKDIR.
Timings belong in this output and docs/benchmark.md, never in timed tests.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from bench.duckdb_floor import floor_counts
from bench.national import BENCH_KEY

PIECES = ("store once", "copy into a warehouse", "pseudonyms", "Great Expectations")
# the cheaper way to a warehouse apart from the state: the state file copied whole (a redesign in
# which the state's rows are the warehouse's staging); summed instead of the table copy
FILE_COPY = "or copy the state file"


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds on the clock
    cpu: float  # seconds of processor time of this process, every thread (DuckDB's too)

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __sub__(self, other: Timing) -> Timing:
        return Timing(self.wall - other.wall, self.cpu - other.cpu)


NOTHING = Timing(0.0, 0.0)


class _Clock:
    """A block's Timing: ``with _Clock() as clock: ...`` then ``clock.timing``."""

    def __enter__(self) -> _Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, time.process_time() - self._cpu)


def _timed(action: Callable[[], Any]) -> Timing:
    with _Clock() as clock:
        action()
    return clock.timing


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def store_and_copy(inbox: Path, workdir: Path) -> dict[str, Timing]:
    """The time to read every CSV of ``inbox`` into ``workdir/state.duckdb`` as text, to copy
    those tables into ``workdir/warehouse.duckdb``, and to copy the state file whole (flushed to
    disk) into ``workdir/state-copy.duckdb``."""
    workdir.mkdir(parents=True, exist_ok=True)
    state, warehouse = workdir / "state.duckdb", workdir / "warehouse.duckdb"
    state_copy = workdir / "state-copy.duckdb"
    for path in (state, warehouse, state_copy):
        path.unlink(missing_ok=True)
    files = sorted(inbox.glob("*.csv"))
    con = duckdb.connect(str(state))
    try:

        def store() -> None:
            for number, path in enumerate(files):
                con.execute(
                    f"create table file_{number} as "
                    f"select * from read_csv({_sql_text(str(path))}, all_varchar = true, header = true)"
                )
            con.execute("checkpoint")

        def copy() -> None:
            con.execute(f"attach {_sql_text(str(warehouse))} as warehouse")
            for number in range(len(files)):
                con.execute(f"create table warehouse.file_{number} as select * from file_{number}")
            con.execute("checkpoint warehouse")
            con.execute("detach warehouse")

        timings = {"store once": _timed(store), "copy into a warehouse": _timed(copy)}
    finally:
        con.close()

    def copy_file() -> None:
        shutil.copyfile(state, state_copy)
        with open(state_copy, "rb+") as handle:
            os.fsync(handle.fileno())

    timings[FILE_COPY] = _timed(copy_file)
    return timings


def hash_and_validate(inbox: Path) -> tuple[dict[str, Timing], int]:
    """The time to hash every identifier of ``inbox``'s files and to run the project's suites on
    their checked columns (each file read and prepared as ``wres run`` does, untimed); and how many
    rows the suites were run on."""
    os.environ.setdefault("WRES_PSEUDONYMISATION_KEY", BENCH_KEY)
    from wres.config import Settings
    from wres.inbox import discover
    from wres.kinds import IDENTIFIER_COLUMNS, KINDS
    from wres.parsing import parse
    from wres.pseudonymise import _comparable, _hashed, pseudonymise_frame
    from wres.reading import read_raw
    from wres.validation import (
        ValidationContext,
        _check_frame,
        _great_expectations,
        expectation_parameters,
        load_suite,
    )

    settings, key = Settings(), BENCH_KEY.encode()
    great_expectations = _great_expectations()  # the imports: not counted
    seconds = {"pseudonyms": NOTHING, "Great Expectations": NOTHING}
    validated_rows = 0
    files, _ = discover(inbox)
    for inbox_file in files:
        kind = KINDS[inbox_file.kind]
        raw = read_raw(inbox_file.path, kind, settings, survey_year=inbox_file.survey_year)
        frame = parse(raw, kind, settings)
        del raw
        identifiers = [c for c in frame.columns if c in IDENTIFIER_COLUMNS]
        with _Clock() as clock:
            frame.select(_hashed(_comparable(pl.col(c).cast(pl.String)), key).alias(c) for c in identifiers)
        seconds["pseudonyms"] += clock.timing
        frame = pseudonymise_frame(frame, IDENTIFIER_COLUMNS, key)
        checked = _check_frame(frame, kind, load_suite(kind.name), ValidationContext())
        parameters = expectation_parameters(settings, inbox_file.file_date)
        with _Clock() as clock:
            great_expectations.run(kind.name, checked, parameters)
        seconds["Great Expectations"] += clock.timing
        validated_rows += checked.height
        frame = checked = None  # freed before the next file is read
        gc.collect()
    return seconds, validated_rows


def measure(inbox: Path, workdir: Path) -> dict[str, Timing]:
    """The time of the floor and of each mandated piece (PIECES) on ``inbox``."""
    seconds = {"floor": _timed(lambda: floor_counts(inbox))}
    seconds.update(store_and_copy(inbox, workdir))
    seconds.update(hash_and_validate(inbox)[0])
    return seconds


def report(seconds: dict[str, Timing], cores: int | None = None) -> list[str]:
    """The printed table: each piece's wall and processor seconds and its multiple of the floor's
    wall time, their sums, and what is left of 3x the floor (``cores``: default this machine's)."""
    cores = cores or os.cpu_count() or 1
    floor = seconds["floor"].wall
    lines = [f"{'piece':28s} {'wall s':>7s}  {'x floor':>7s}  {'cpu s':>7s}"]
    total = sum((seconds[piece] for piece in PIECES), NOTHING)
    cheaper = total - seconds["copy into a warehouse"] + seconds[FILE_COPY]
    rows = [(piece, seconds[piece]) for piece in ("floor", *PIECES, FILE_COPY)]
    rows += [("mandated minimum (sum)", total), ("the same with the file copy", cheaper)]
    for piece, timing in rows:
        lines.append(f"{piece:28s} {timing.wall:7.1f}  {timing.wall / floor:7.2f}  {timing.cpu:7.1f}")
    spread = cheaper.cpu / cores
    lines.append(
        f"issue 6's target for the whole compute stage: <= 3x the floor = {3 * floor:.1f} s. Left for "
        "reading into Python, typing, the other checks, staging, marts and disclosure control, with "
        f"the file copy: {3 * floor - cheaper.wall:.1f} s one piece after another; "
        f"{3 * floor - spread:.1f} s if the pieces' processor time were spread perfectly over {cores} "
        f"cores ({spread:.1f} s, {spread / floor:.2f}x the floor)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbox", type=Path, required=True, help="e.g. bench.national's WORKDIR/inbox")
    parser.add_argument("--workdir", type=Path, default=Path("bench-minimum"), help="holds the two files")
    parser.add_argument("--repeat", type=int, default=1, help="measure this many times, one after another")
    args = parser.parse_args(argv)
    if not args.inbox.is_dir():
        parser.error(f"the inbox {args.inbox} does not exist")
    workdir = args.workdir.resolve()
    try:
        for round_number in range(1, args.repeat + 1):
            if args.repeat > 1:
                print(f"round {round_number}:")
            print("\n".join(report(measure(args.inbox.resolve(), workdir))), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
