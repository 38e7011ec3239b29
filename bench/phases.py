"""Where the compute stage spends its time and memory: the ingest per phase, then the warehouse build
per step, in one process without Prefect.

``python -m bench.phases --inbox /tmp/wres-bench/inbox --workdir /tmp/wres-phases`` ingests the
inbox into a fresh state under WORKDIR (``wres.pipeline.ingest``), timing each phase summed over
the files (reading, parsing, pseudonymising, validating, storing, ...), then builds the warehouse
from that state as ``wres run`` does (``wres.warehouse.build_warehouse`` with the build's memory
limit), timing each step. Peak resident memory is sampled every 20 ms and reported per file and
per build step. It prints its figures and writes nothing but WORKDIR; the national benchmark
(``bench.national``) times the whole run. Timings belong in this output and docs/benchmark.md,
never in timed tests.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.national import BENCH_KEY

MIB = 1024 * 1024

# (module, attribute, label): the functions whose time is summed per phase
_INGEST_PHASES = (
    ("wres.pipeline", "discover", "finding and hashing the files"),
    ("wres.pipeline", "read_raw", "reading as text"),
    ("wres.pipeline", "parse", "parsing (typing the values)"),
    ("wres.pipeline", "pseudonymise_frame", "pseudonymising identifiers"),
    ("wres.pipeline", "_validation_context", "cross-file context"),
    ("wres.pipeline", "validate", "validating (the first file waits for GX)"),
    ("wres.validation", "_check_frame", "  of which the checked columns"),
    ("wres.validation._GreatExpectations", "run", "  of which Great Expectations' run"),
    ("wres.state.StateStore", "store_rows", "storing rows (inserts, checkpoint)"),
)


class MemorySampler:
    """Peak resident memory of this process per named phase, sampled in a thread."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.phase = "start"
        self.peaks: dict[str, int] = {}
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            phase, rss = self.phase, self._rss()
            self.peaks[phase] = max(self.peaks.get(phase, 0), rss)
            self._stop.wait(self._interval_s)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _resolve(dotted: str) -> Any:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ModuleNotFoundError(dotted)


@contextmanager
def timed_phases(phases: tuple[tuple[str, str, str], ...]) -> Iterator[dict[str, float]]:
    """Sum the wall time of each listed function while the block runs (then put them back)."""
    totals: dict[str, float] = collections.defaultdict(float)
    originals: list[tuple[Any, str, Callable]] = []

    def wrap(function: Callable, label: str) -> Callable:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - began

        return timed

    for owner_name, attribute, label in phases:
        owner = _resolve(owner_name)
        original = getattr(owner, attribute)
        originals.append((owner, attribute, original))
        setattr(owner, attribute, wrap(original, label))
    try:
        yield totals
    finally:
        for owner, attribute, original in reversed(originals):
            setattr(owner, attribute, original)


def profile(inbox: Path, workdir: Path) -> list[str]:
    """Ingest ``inbox`` into a fresh state under ``workdir`` and build the warehouse; the report's lines."""
    os.environ.setdefault("WRES_PSEUDONYMISATION_KEY", BENCH_KEY)
    import wres.pipeline as pipeline
    from wres.config import settings_from_dict
    from wres.state import BUILD_MEMORY_LIMIT, StateStore
    from wres.warehouse import build_warehouse

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    settings = settings_from_dict(
        {
            "paths": {
                "inbox": str(inbox),
                "state": str(workdir / "state"),
                "warehouse": str(workdir / "warehouse" / "wres.duckdb"),
                "out": str(workdir / "out"),
            }
        }
    )
    lines: list[str] = []
    with MemorySampler() as memory:
        load_one = pipeline.load_one

        def load_one_named(store: Any, inbox_file: Any, *args: Any, **kwargs: Any) -> Any:
            memory.phase = f"ingest {inbox_file.name}"
            return load_one(store, inbox_file, *args, **kwargs)

        pipeline.load_one = load_one_named
        try:
            with timed_phases(_INGEST_PHASES) as ingest_phases:
                began = time.perf_counter()
                with StateStore(settings.paths.state) as store:
                    result = pipeline.ingest(store, settings, "bench-phases")
                ingest_s = time.perf_counter() - began
        finally:
            pipeline.load_one = load_one
        state_mb = (Path(settings.paths.state) / "state.duckdb").stat().st_size / 1e6
        outcomes = collections.Counter(o.outcome for o in result.outcomes)
        lines.append(f"ingest: {ingest_s:.1f} s, files {dict(outcomes)}, state file {state_mb:,.0f} MB")
        lines += [f"  {label:42s} {ingest_phases[label]:7.2f} s" for _, _, label in _INGEST_PHASES]

        steps: dict[str, float] = collections.defaultdict(float)
        clock = {"step": "opening the state", "at": time.perf_counter()}

        def progress(step: str) -> None:
            now = time.perf_counter()
            steps[clock["step"]] += now - clock["at"]
            clock["step"] = "staging" if step.startswith("staging.") else step
            clock["at"] = now
            memory.phase = f"build {clock['step']}"

        memory.phase = "build opening the state"
        began = time.perf_counter()
        with StateStore(settings.paths.state, memory_limit=BUILD_MEMORY_LIMIT) as store:
            building = build_warehouse(store.con, settings, progress=progress)
        progress("done")
        build_s = time.perf_counter() - began
        steps.pop("done", None)
        lines.append(f"warehouse build: {build_s:.1f} s, file {building.stat().st_size / 1e6:,.0f} MB")
        lines += [f"  {step:38s} {seconds:7.2f} s" for step, seconds in steps.items()]
    lines.append("peak resident memory (MiB) by phase:")
    lines += [f"  {phase:48s} {peak / MIB:7,.0f}" for phase, peak in memory.peaks.items()]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbox", type=Path, required=True, help="e.g. bench.national's WORKDIR/inbox")
    parser.add_argument(
        "--workdir", type=Path, default=Path("bench-phases"), help="emptied, then holds the state"
    )
    args = parser.parse_args(argv)
    if not args.inbox.is_dir():
        parser.error(f"the inbox {args.inbox} does not exist")
    print("\n".join(profile(args.inbox.resolve(), args.workdir.resolve())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
