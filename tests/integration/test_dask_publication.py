"""Publication over a Dask cluster (``dask_scheduler_address``, flows/weekly.py) gives the same
publication and warehouse as the default local worker processes.

The cluster is a ``LocalCluster(processes=False)`` in this process (its workers are threads, so
they share the session's Prefect server instead of each starting a temporary one, STACK.md); the
real ``wres run`` in a subprocess connects to its scheduler.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import run_wres
from wres.synthetic import generate_inbox

pytestmark = pytest.mark.integration


def _run(work: Path, inbox: Path, prefect_api: str, config: str) -> Path:
    work.mkdir()
    (work / "wres.toml").write_text(config, encoding="utf-8")
    result = run_wres(
        ["run", "--inbox", str(inbox), "--config", str(work / "wres.toml")],
        cwd=work,
        prefect_api=prefect_api,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return work


def _csvs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for name in ("latest", "2024-03-31", "2025-03-31")
        for p in sorted((out / name).rglob("*.csv"))
    }


def _indicators(warehouse: Path) -> pl.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql("select * from marts.wres_indicators order by all").pl()
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(prefect_server, tmp_path_factory) -> tuple[Path, Path, list[str]]:
    distributed = pytest.importorskip("distributed")
    root = tmp_path_factory.mktemp("dask-publication")
    generate_inbox(root / "inbox", trusts=2, staff_per_trust=150, seed=7)
    paths = '[paths]\nwarehouse = "warehouse/wres.duckdb"\nout = "out"\nstate = "state"\n'
    local = _run(root / "local", root / "inbox", prefect_server, paths)
    with distributed.LocalCluster(
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        n_workers=2,
        threads_per_worker=1,
        dashboard_address=None,
    ) as cluster:
        dask = _run(
            root / "dask",
            root / "inbox",
            prefect_server,
            f'dask_scheduler_address = "{cluster.scheduler_address}"\n{paths}',
        )
        prefixes = sorted(cluster.scheduler.task_prefixes)
    return local, dask, prefixes


def test_the_units_went_through_the_cluster(runs):
    *_, prefixes = runs
    assert prefixes == ["render_unit_task"]


def test_the_dask_run_publishes_every_organisation(runs):
    _, dask, _ = runs
    latest = dask / "out" / "latest"
    organisations = sorted(p.name for p in latest.iterdir() if p.is_dir())
    assert len(organisations) == 2
    for organisation in organisations:
        assert (latest / organisation / "wres_report.html").stat().st_size > 0
        assert len(list((latest / organisation / "charts").glob("*.svg"))) >= 10


def test_the_dask_run_writes_byte_identical_csvs(runs):
    local, dask, _ = runs
    local_csvs = _csvs(local / "out")
    assert len(local_csvs) >= 2 * 2 * 2  # two organisations x two snapshots (+ latest) x two tables
    assert _csvs(dask / "out") == local_csvs


def test_the_dask_run_builds_the_same_warehouse(runs):
    local, dask, _ = runs
    expected = _indicators(local / "warehouse" / "wres.duckdb")
    assert expected.height > 0
    assert _indicators(dask / "warehouse" / "wres.duckdb").equals(expected)


def test_the_national_report_went_through_the_cluster_unchanged(runs):
    local, dask, _ = runs
    for snapshot in ("2024-03-31", "2025-03-31"):
        local_report = local / "out" / snapshot / "national_report.html"
        assert local_report.stat().st_size > 0
        assert (dask / "out" / snapshot / "national_report.html").read_bytes() == local_report.read_bytes()
