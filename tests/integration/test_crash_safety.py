"""A crash at any stage of a run leaves the last good warehouse and publication exactly as they were,
and the next run picks up where the crashed one stopped (CONTRACT section 3).

The product kills itself with SIGKILL at a named point when ``WRES_KILL_AT`` is set (wres/faults.py).
One good run makes the last good state; for each point a copy of that state gets a new, valid
recruitment extract that changes the numbers, a run that is killed at the point, and a run that
must then succeed and hold the new extract's data, the same as every other point's recovery.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_wres
from tests.integration.test_malformed_inputs import BASE_RECRUITMENT, RECRUITMENT_HEADER, staff_file
from tests.integration.test_weekly_flow import publication_digest, snapshot_of, table_digest
from wres.faults import POINTS

pytestmark = pytest.mark.integration

GOOD_FILES = {
    "staff_in_post_2025-03-31.csv": staff_file().encode(),
    "recruitment_2025-03-31.csv": BASE_RECRUITMENT.encode(),
}
# a newer extract: four more shortlisted applications in the window, three of them appointed
NEW_NAME = "recruitment_2025-04-30.csv"
NEW_FILE = (
    RECRUITMENT_HEADER
    + "RXX,ZQP0006,N,Y,Y,2024-09-01\n"
    + "RXX,ZQP0007,H,Y,Y,2024-10-01\n"
    + "RXX,ZQP0008,A,Y,N,2024-11-01\n"
    + "RXX,ZQP0009,M,Y,Y,2024-12-01\n"
).encode()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def links_of(out: Path) -> dict[str, str]:
    """The links a reader follows and where they point: those in the output folder (the published
    dates, ``latest``, ``current``) and those of the publication set ``current`` points at."""
    links = {p.name: os.readlink(p) for p in sorted(out.iterdir()) if p.is_symlink()}
    in_force = out / "current"
    links |= {f"current/{p.name}": os.readlink(p) for p in sorted(in_force.iterdir()) if p.is_symlink()}
    return links


@dataclass
class State:
    """What a run left: the warehouse file's hash and tables, the publication and its links."""

    warehouse_sha256: str
    tables: dict[str, str]
    published: dict[str, str]
    links: dict[str, str]


def state_of(work: Path) -> State:
    warehouse = work / "data" / "warehouse" / "wres.duckdb"
    out = work / "data" / "outputs"
    return State(sha256_of(warehouse), table_digest(warehouse), publication_digest(out), links_of(out))


def run(work: Path, prefect_api: str, **env: str):
    return run_wres(["run", "--inbox", str(work / "inbox")], cwd=work, prefect_api=prefect_api, **env)


@pytest.fixture(scope="module")
def last_good(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> tuple[Path, State]:
    work = tmp_path_factory.mktemp("last-good")
    inbox = work / "inbox"
    inbox.mkdir()
    for name, content in GOOD_FILES.items():
        (inbox / name).write_bytes(content)
    result = run(work, prefect_server)
    assert result.returncode == 0, result.stderr[-3000:]
    return work, state_of(work)


@dataclass
class Crash:
    point: str
    work: Path
    killed_returncode: int
    killed_output: str
    after_crash: State
    inbox_before: dict
    inbox_after_crash: dict
    recovered_returncode: int
    recovered_output: str
    after_recovery: State


def crash_and_recover(point: str, good: Path, target: Path, prefect_api: str) -> Crash:
    shutil.copytree(good, target, symlinks=True)
    (target / "inbox" / NEW_NAME).write_bytes(NEW_FILE)
    inbox_before = snapshot_of(target / "inbox")
    killed = run(target, prefect_api, WRES_KILL_AT=point)
    after_crash = state_of(target)
    inbox_after_crash = snapshot_of(target / "inbox")
    recovered = run(target, prefect_api)
    return Crash(
        point,
        target,
        killed.returncode,
        killed.stdout + killed.stderr,
        after_crash,
        inbox_before,
        inbox_after_crash,
        recovered.returncode,
        recovered.stdout + recovered.stderr,
        state_of(target),
    )


@pytest.fixture(scope="module")
def crashes(last_good, tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> dict[str, Crash]:
    good, _ = last_good
    root = tmp_path_factory.mktemp("crashes")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            point: pool.submit(crash_and_recover, point, good, root / point.replace(":", "-"), prefect_server)
            for point in POINTS
        }
        return {point: future.result() for point, future in futures.items()}


def test_the_last_good_run_published(last_good):
    _, good = last_good
    assert any(name.startswith("latest/") for name in good.published)
    assert good.links["latest"] == "current/latest"


@pytest.mark.parametrize("point", POINTS)
def test_the_process_dies_by_sigkill_at_the_point(crashes, point):
    crash = crashes[point]
    assert crash.killed_returncode == -signal.SIGKILL, crash.killed_output[-3000:]
    assert "Run finished" not in crash.killed_output


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_leaves_the_last_good_publication(crashes, last_good, point):
    _, good = last_good
    after = crashes[point].after_crash
    assert after.published == good.published
    assert after.links == good.links


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_leaves_the_last_good_warehouse(crashes, last_good, point):
    _, good = last_good
    after = crashes[point].after_crash
    assert after.tables == good.tables  # it opens read-only and holds the same rows
    assert after.warehouse_sha256 == good.warehouse_sha256


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_never_touches_the_inbox(crashes, point):
    crash = crashes[point]
    assert crash.inbox_after_crash == crash.inbox_before
    assert (crash.work / "inbox" / NEW_NAME).read_bytes() == NEW_FILE


def _query(work: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(work / "data" / "warehouse" / "wres.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("point", POINTS)
def test_the_next_run_succeeds_and_holds_the_new_file(crashes, last_good, point):
    _, good = last_good
    crash = crashes[point]
    assert crash.recovered_returncode == 0, crash.recovered_output[-3000:]
    work = crash.work
    assert _query(work, f"select status, rows from ops.loaded_files where name = '{NEW_NAME}'") == [
        ("loaded", 4)
    ]
    # 5 applications of the first extract and 4 of the new one
    assert _query(work, "select count(*) from staging.recruitment") == [(9,)]
    # indicator 2 now counts 8 shortlisted applications in the window (4 + 4) and 5 appointed
    assert _query(
        work,
        "select sum(numerator), sum(denominator) from marts.wres_indicators where indicator = 2 "
        "and measure = 'rate' and scope = 'trust' and breakdown = '' and ethnic_group in ('white', 'bme', 'unknown')",
    ) == [(5, 8)]
    after = crash.after_recovery
    assert after.tables != good.tables
    assert after.published != good.published
    # no half-built warehouse or publication folder is left, and no link points into one
    warehouse_folder = work / "data" / "warehouse"
    assert sorted(p.name for p in warehouse_folder.iterdir() if "building" in p.name) == []
    out = work / "data" / "outputs"
    assert sorted(p.name for p in (out / ".versions").iterdir() if p.name.startswith(".building")) == []
    assert all("building" not in target for target in after.links.values())
    assert (out / "latest" / "wres_indicators.csv").is_file()


def test_every_recovery_ends_in_the_same_warehouse_and_publication(crashes):
    """Crashing anywhere and running again gives what the run would have given without the crash."""
    recovered = {point: crashes[point].after_recovery for point in POINTS}
    first = recovered[POINTS[0]]
    for point, state in recovered.items():
        assert state.tables == first.tables, point
        data_files = {k: v for k, v in state.published.items() if k.endswith(".csv")}
        assert data_files == {k: v for k, v in first.published.items() if k.endswith(".csv")}, point


@pytest.mark.parametrize("point", POINTS)
def test_the_new_file_keeps_its_validation_results_after_a_crash(crashes, point):
    rows = _query(
        crashes[point].work, f"select count(*) from ops.validation_results where file_name = '{NEW_NAME}'"
    )
    assert rows[0][0] > 0


@pytest.mark.parametrize("point", POINTS)
def test_the_killed_run_reads_interrupted_and_the_others_completed(crashes, point):
    # a run killed while building the warehouse or publishing never reads 'completed'
    assert _query(crashes[point].work, "select status from ops.runs order by started_at, run_id") == [
        ("completed",),
        ("interrupted",),
        ("completed",),
    ]
