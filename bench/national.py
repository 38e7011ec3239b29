"""The national benchmark (issue 6): ``wres run`` beside plain pandas and the DuckDB floor.

``python -m bench.national --trusts 220 --staff 6500 --workdir /tmp/wres-bench`` generates the
synthetic national inbox (``wres.synthetic.generate_inbox``) and runs, one after another on that
inbox, each contender in its own process:

- ``wres``: the whole ``wres run`` (``python -m wres.cli run``), against a ``prefect server start``
  on 127.0.0.1 that the benchmark starts in its own process group and stops at the end (or,
  with ``--temporary-server``, the temporary server ``wres run`` starts for itself); each stage's
  wall time comes from the flow's console lines, timed as they arrive;
- ``pandas``: ``bench.pandas_indicators`` (indicators 1-9, trust and maternity_neonatal);
- ``floor``: ``bench.duckdb_floor`` (every file read once, the core counts in one pass).

Peak memory is each process's VmHWM (and that of every descendant, polled from /proc every
0.1 s). It prints a table, the ratios against the issue's targets and whether the contenders agree
on the core numbers (``bench.core_numbers``), and writes ``results.json`` in the work folder.
Timings belong in this output and in docs/benchmark.md, never in timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from bench import core_numbers
from wres.prefect_server import local_prefect_server

CONTENDERS = ("wres", "pandas", "floor")
BENCH_KEY = "benchmark-pseudonymisation-key-0123456789"
QUIET_PREFECT = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}
MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# Measuring a process: wall time, console lines as they arrive, peak memory of it and its children


def _vm_hwm(pid: int) -> int | None:
    """Peak resident set size of a live process in bytes (VmHWM), None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _descendants(pid: int) -> list[int]:
    """Child processes, recursively (from /proc/<pid>/task/*/children)."""
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            found += children
            stack += children
    return found


def _command_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            parts = [p.decode(errors="replace") for p in handle.read().split(b"\0") if p]
    except OSError:
        return "?"
    return " ".join(Path(parts[0]).name if i == 0 else p for i, p in enumerate(parts[:4]))


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall_s: float
    peak_rss: int  # bytes, the process itself
    largest_child: str = ""
    largest_child_rss: int = 0
    lines: list[tuple[float, str]] = field(default_factory=list)


def measure(command: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> Measured:
    """Run ``command`` to its end; time it, keep its console lines (stdout and stderr merged)
    with their arrival times, and poll the peak memory of it and its descendants."""
    started = time.perf_counter()
    env = {**env, "PYTHONUNBUFFERED": "1"}  # lines arrive when written, so their times are right
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    lines: list[tuple[float, str]] = []
    peaks: dict[int, int] = {}
    names: dict[int, str] = {}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for pid in [process.pid, *_descendants(process.pid)]:
                hwm = _vm_hwm(pid)
                if hwm is not None:
                    peaks[pid] = max(peaks.get(pid, 0), hwm)
                    if pid not in names:
                        names[pid] = _command_name(pid)
            done.wait(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    with log.open("w") as sink:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))
            sink.write(line)
            sink.flush()  # so that a long run can be followed with tail -f
    returncode = process.wait()
    wall = time.perf_counter() - started
    done.set()
    poller.join()
    children = {pid: rss for pid, rss in peaks.items() if pid != process.pid}
    largest = max(children, key=children.__getitem__) if children else None
    return Measured(
        command=command,
        returncode=returncode,
        wall_s=wall,
        peak_rss=peaks.get(process.pid, 0),
        largest_child=names.get(largest, "") if largest else "",
        largest_child_rss=children.get(largest, 0) if largest else 0,
        lines=lines,
    )


# ---------------------------------------------------------------------------------------------
# Stages of wres run, from its console lines

_FLOW_START = re.compile(r"Beginning flow run")
_TASK_DONE = re.compile(r"Task run '(?P<task>.+)-[0-9a-f]+' - Finished in state")
_STEP = re.compile(r"building (?P<step>staging|marts|disclosure control)")
_NATIONAL_DONE = re.compile(r"national report of \S+ written")
_STAGE_NAMES = {
    "ingest and validate the inbox": "ingest + validate",
    "build the analyst warehouse": "warehouse (staging, marts, sdc)",
    "publish the weekly report and tables": "publish",
    "deliver the publication": "deliver",
}


def stage_times(lines: list[tuple[float, str]], wall_s: float) -> list[tuple[str, float]]:
    """Wall time of each stage of ``wres run``: start-up (imports, settings, Prefect) to the flow's
    first line, each task to its ``Finished`` line, and the end of the process after the last.

    >>> lines = [(2.0, "| Beginning flow run 'a'"), (5.0, "| Task run 'ingest-1a2' - Finished in state")]
    >>> stage_times(lines, 6.0)
    [('start-up', 2.0), ('ingest', 3.0), ('after the flow', 1.0)]
    """
    stages: list[tuple[str, float]] = []
    mark = 0.0
    steps: dict[str, float] = {}
    for at, text in lines:
        if not stages and _FLOW_START.search(text):
            stages.append(("start-up", at))
            mark = at
        elif match := _STEP.search(text):
            steps.setdefault(match.group("step"), at)
        elif match := _TASK_DONE.search(text):
            task = match.group("task")
            stages.append((_STAGE_NAMES.get(task, task), at - mark))
            mark = at
            if task == "build the analyst warehouse" and steps:
                marks = [*steps.items(), ("end", at)]
                for (step, begin), (_, end) in zip(marks, marks[1:], strict=False):
                    stages.append((f"  of which {step}", end - begin))
    stages.append(("after the flow", wall_s - mark))
    return stages


def national_reports_done(lines: list[tuple[float, str]]) -> float | None:
    """Seconds from the start to the last ``national report of … written`` line (None: no national
    report, a single organisation). The national reports are the publication's first units, written
    while the per-trust folders are rendered beside them.

    >>> national_reports_done([(40.0, "wres - national report of 2024-03-31 written"), (42.5, "x")])
    40.0
    """
    times = [at for at, text in lines if _NATIONAL_DONE.search(text)]
    return max(times) if times else None


# ---------------------------------------------------------------------------------------------
# The benchmark


@dataclass
class Result:
    name: str
    wall_s: float
    compute_s: float
    peak_rss_mib: float
    largest_child: str
    largest_child_rss_mib: float
    returncode: int
    stages: list[tuple[str, float]] = field(default_factory=list)
    national_report_s: float | None = None  # from the start to the last national report written


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def run_wres(inbox: Path, workdir: Path, prefect_api: str | None, prefect_home: Path) -> Result:
    run_dir = workdir / "wres"
    shutil.rmtree(run_dir, ignore_errors=True)  # a fresh state: every file loads, as on a first run
    run_dir.mkdir(parents=True)
    env = {**os.environ, **QUIET_PREFECT, "WRES_PSEUDONYMISATION_KEY": BENCH_KEY}
    env["PREFECT_HOME"] = str(prefect_home)
    if prefect_api:
        env["PREFECT_API_URL"] = prefect_api
    else:
        env.pop("PREFECT_API_URL", None)
    repo = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
    measured = measure(
        _python(
            "-m",
            "wres.cli",
            "run",
            "--inbox",
            str(inbox),
            "--warehouse",
            str(run_dir / "warehouse" / "wres.duckdb"),
            "--out",
            str(run_dir / "outputs"),
            "--state",
            str(run_dir / "state"),
        ),
        env=env,
        cwd=run_dir,
        log=workdir / "wres.log",
    )
    stages = stage_times(measured.lines, measured.wall_s)
    compute = sum(s for name, s in stages if name in ("ingest + validate", "warehouse (staging, marts, sdc)"))
    return Result(
        "wres",
        measured.wall_s,
        compute,
        measured.peak_rss / MIB,
        measured.largest_child,
        measured.largest_child_rss / MIB,
        measured.returncode,
        stages,
        national_reports_done(measured.lines),
    )


def run_contender(name: str, inbox: Path, workdir: Path) -> Result:
    repo = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
    }
    measured = measure(
        _python("-m", "bench.contender", name, str(inbox), str(workdir)),
        env=env,
        cwd=workdir,
        log=workdir / f"{name}.log",
    )
    timing_file = workdir / f"timing_{name}.json"
    timing = json.loads(timing_file.read_text()) if timing_file.exists() else {}
    return Result(
        name,
        measured.wall_s,
        timing.get("compute_s", float("nan")),
        measured.peak_rss / MIB,
        measured.largest_child,
        measured.largest_child_rss / MIB,
        measured.returncode,
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def report(results: dict[str, Result], agreement: dict[str, int], rows: int, inbox_mib: float) -> list[str]:
    """The benchmark's printed lines: the table, the stages, the ratios and targets, agreement."""
    out = [f"inbox: {inbox_mib:,.0f} MiB of CSV, {rows:,} data rows"]
    out.append(f"{'contender':<10} {'wall s':>9} {'compute s':>10} {'peak RSS MiB':>13}  largest child")
    for r in results.values():
        child = f"{r.largest_child_rss_mib:,.0f} MiB ({r.largest_child[:60]})" if r.largest_child else "-"
        out.append(
            f"{r.name:<10} {r.wall_s:>9.1f} {r.compute_s:>10.1f} {r.peak_rss_mib:>13,.0f}  {child}"
            + ("" if r.returncode == 0 else f"  [exit {r.returncode}]")
        )
    wres = results.get("wres")
    if wres:
        out.append("wres run stages (wall s):")
        out += [f"  {name:<34} {seconds:>8.1f}" for name, seconds in wres.stages]
    out.append("ratios:")
    pandas_r, floor_r = results.get("pandas"), results.get("floor")
    if wres and pandas_r:
        ratio = _ratio(wres.wall_s, pandas_r.compute_s)
        verdict = "met" if ratio <= 0.5 else "missed"
        out.append(f"  wres run (whole) / pandas compute = {ratio:.2f}  (target <= 0.50: {verdict})")
        if wres.national_report_s is not None:
            ratio = _ratio(wres.national_report_s, pandas_r.compute_s)
            verdict = "met" if ratio <= 0.5 else "missed"
            out.append(
                f"  wres to the national report ({wres.national_report_s:.1f} s) / pandas compute"
                f" = {ratio:.2f}"
                f"  (target <= 0.50: {verdict}; the per-trust folders are then finished before the switch)"
            )
    if wres and floor_r:
        ratio = _ratio(wres.compute_s, floor_r.compute_s)
        verdict = "met" if ratio <= 3 else "missed"
        out.append(f"  wres compute (ingest..marts) / floor = {ratio:.2f}  (target <= 3: {verdict})")
    if pandas_r and floor_r:
        out.append(f"  pandas compute / floor = {_ratio(pandas_r.compute_s, floor_r.compute_s):.2f}")
    if wres:
        verdict = "met" if wres.peak_rss_mib < 2048 else "missed"
        out.append(
            f"  wres peak RSS = {wres.peak_rss_mib:,.0f} MiB (target < 2048: {verdict}); "
            f"largest child {wres.largest_child_rss_mib:,.0f} MiB"
        )
    for pair, differing in agreement.items():
        out.append(f"agreement {pair}: {'equal' if differing == 0 else f'{differing} rows differ'}")
    return out


def growth(smaller: dict, larger: dict) -> list[str]:
    """Lines comparing two ``results.json`` summaries: how much more each contender's time grew
    than the rows (target: 10x the rows in at most 12x the time).

    >>> small = {"inbox_rows": 100, "results": {"wres": {"wall_s": 10.0, "compute_s": 4.0}}}
    >>> large = {"inbox_rows": 1000, "results": {"wres": {"wall_s": 110.0, "compute_s": 50.0}}}
    >>> for line in growth(small, large):
    ...     print(line)
    growth: 10.0x the rows
      wres wall 11.0x (target <= 12.0x: met), compute 12.5x
    """
    rows = _ratio(larger["inbox_rows"], smaller["inbox_rows"])
    out = [f"growth: {rows:.1f}x the rows"]
    for name, big in larger["results"].items():
        small = smaller["results"].get(name)
        if not small:
            continue
        wall, compute = _ratio(big["wall_s"], small["wall_s"]), _ratio(big["compute_s"], small["compute_s"])
        verdict = "met" if wall <= 1.2 * rows else "missed"
        out.append(
            f"  {name} wall {wall:.1f}x (target <= {1.2 * rows:.1f}x: {verdict}), compute {compute:.1f}x"
        )
    return out


def _inbox_size(inbox: Path) -> tuple[int, float]:
    rows, size = 0, 0
    for path in inbox.glob("*.csv"):
        size += path.stat().st_size
        with path.open("rb") as handle:
            rows += max(sum(1 for _ in handle) - 1, 0)
    return rows, size / MIB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trusts", type=int, default=220)
    parser.add_argument("--staff", type=int, default=6500, help="staff per trust")
    parser.add_argument("--seed", type=int, default=20250331)
    parser.add_argument("--workdir", type=Path, default=Path("bench-work"))
    parser.add_argument("--skip-generate", action="store_true", help="reuse WORKDIR/inbox as it is")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help="comma list of wres,pandas,floor")
    parser.add_argument(
        "--temporary-server",
        action="store_true",
        help="let wres run start Prefect's temporary server (timed with it) instead of one on loopback",
    )
    parser.add_argument(
        "--compare-with",
        type=Path,
        help="results.json of a run at another scale: print how time grew with the rows",
    )
    args = parser.parse_args(argv)
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = sorted(set(contenders) - set(CONTENDERS))
    if unknown:
        parser.error(f"unknown contenders: {', '.join(unknown)}")
    workdir = args.workdir.resolve()
    inbox = workdir / "inbox"
    workdir.mkdir(parents=True, exist_ok=True)
    generate_s = None
    if not args.skip_generate:
        from wres.synthetic import generate_inbox

        shutil.rmtree(inbox, ignore_errors=True)
        began = time.perf_counter()
        generate_inbox(inbox, trusts=args.trusts, staff_per_trust=args.staff, seed=args.seed)
        generate_s = time.perf_counter() - began
        print(f"generated {args.trusts} trusts x {args.staff} staff in {generate_s:.1f} s", flush=True)
    rows, inbox_mib = _inbox_size(inbox)
    results: dict[str, Result] = {}
    cores: dict[str, pd.DataFrame] = {}
    prefect_home = workdir / "prefect-home"
    use_server = "wres" in contenders and not args.temporary_server
    with local_prefect_server(prefect_home) if use_server else nullcontext() as api:
        for name in contenders:
            print(f"running {name} ...", flush=True)
            if name == "wres":
                results[name] = run_wres(inbox, workdir, api, prefect_home)
                warehouse = workdir / "wres" / "warehouse" / "wres.duckdb"
                if warehouse.exists():
                    cores[name] = core_numbers.from_warehouse(warehouse)
            else:
                results[name] = run_contender(name, inbox, workdir)
                core_file = workdir / f"core_{name}.csv"
                if core_file.exists():
                    cores[name] = pd.read_csv(core_file, dtype={"snapshot_date": str})
    names = list(cores)
    agreement = {
        f"{a} vs {b}": core_numbers.disagreements(cores[a], cores[b])
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    }
    lines = report(results, agreement, rows, inbox_mib)
    print("\n".join(lines))
    summary = {
        "trusts": args.trusts,
        "staff_per_trust": args.staff,
        "inbox_rows": rows,
        "inbox_mib": inbox_mib,
        "generate_s": generate_s,
        "prefect": "temporary server" if args.temporary_server else "prefect server start on 127.0.0.1",
        "results": {name: asdict(r) for name, r in results.items()},
        "agreement": agreement,
    }
    (workdir / "results.json").write_text(json.dumps(summary, indent=2, default=str))
    if args.compare_with:
        other = json.loads(args.compare_with.read_text())
        smaller, larger = sorted(
            [other, json.loads(json.dumps(summary, default=str))], key=lambda r: r["inbox_rows"]
        )
        print("\n".join(growth(smaller, larger)))
    failed = any(r.returncode not in (0,) for r in results.values()) or any(agreement.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
