"""The publication-workers benchmark on a tiny warehouse built for real (no timing asserted).

The warehouse is built without Prefect, by the library functions the flow's tasks wrap
(``wres.pipeline.ingest`` then ``wres.warehouse.build_warehouse``), from a synthetic inbox of
3 trusts x 200 staff and the generator's two snapshots; the benchmark keeps the first 2
organisations and publishes with 1 and then 2 workers, each in its own process.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from bench import publication_workers
from wres.config import Settings
from wres.pipeline import ingest, new_run_id, now_utc
from wres.state import StateStore
from wres.synthetic import generate_inbox, organisation_code
from wres.warehouse import build_warehouse

pytestmark = pytest.mark.integration

TRUSTS, KEPT, SNAPSHOTS = 3, 2, 2  # generate_inbox's default snapshots: 2024-03-31, 2025-03-31


def _build_warehouse(root: Path) -> Path:
    generate_inbox(root / "inbox", trusts=TRUSTS, staff_per_trust=200, seed=3)
    settings = Settings(pseudonymisation_key_file=root / "key" / "pseudonymisation.key").with_paths(
        inbox=root / "inbox",
        warehouse=root / "warehouse" / "wres.duckdb",
        state=root / "state",
        out=root / "out",
    )
    run_id = new_run_id()
    with StateStore(settings.paths.state) as store:
        store.start_run(run_id, now_utc())
        result = ingest(store, settings, run_id)
        assert result.count("rejected") == 0
        store.finish_run(run_id, now=now_utc(), status="completed", exit_code=0, counts={})
        return build_warehouse(store.con, settings)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(out: Path) -> dict[str, bytes]:
    """Every published file under ``.versions``, by snapshot date and path within its version folder
    (the folder's name also carries a digest of the settings, which name ``out`` and the worker count).

    "2024-03-31-6be325a1ac96db80/RXX01/tables/x.csv" -> "2024-03-31/RXX01/tables/x.csv"
    """
    versions = out / ".versions"
    files = {}
    for path in sorted(versions.rglob("*")):
        if path.is_file():
            version, *rest = path.relative_to(versions).parts
            files["/".join([version[: len("2024-03-31")], *rest])] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str]:
    root = tmp_path_factory.mktemp("publication-workers")
    source = _build_warehouse(root)
    before = _sha256(source)
    workdir = root / "bench"
    code = publication_workers.main(
        [
            "--warehouse",
            str(source),
            "--organisations",
            str(KEPT),
            "--workers",
            "1,2",
            "--workdir",
            str(workdir),
        ]
    )
    assert code == 0
    return source, workdir, before, _sha256(source)


def test_the_original_warehouse_is_not_touched(bench_run):
    _, _, before, after = bench_run
    assert after == before


def test_the_reduced_copy_keeps_the_first_organisations_in_every_marts_relation(bench_run):
    _, workdir, _, _ = bench_run
    con = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    try:
        for relation in ("wres_indicators", "representation", "wres_indicator_trends"):
            codes = {
                c
                for (c,) in con.execute(f"select distinct organisation_code from marts.{relation}").fetchall()
            }
            assert codes == {organisation_code(0), organisation_code(1)}, relation
        (kind,) = con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'wres_indicator_trends'"
        ).fetchone()
        assert kind == "VIEW"
    finally:
        con.close()


def test_every_worker_count_writes_every_unit(bench_run):
    _, workdir, _, _ = bench_run
    assert publication_workers.unit_pairs(workdir / "warehouse.duckdb") == KEPT * SNAPSHOTS
    document = json.loads((workdir / publication_workers.RESULTS_NAME).read_text(encoding="utf-8"))
    assert document["organisations"] == KEPT
    assert [row["workers"] for row in document["runs"]] == [1, 2]
    for row in document["runs"]:
        assert row["units"] == KEPT * SNAPSHOTS
        assert row["national_reports"] == document["runs"][0]["national_reports"]
        assert row["wall_s"] > 0 and row["process_s"] >= row["wall_s"]
        assert row["s_per_unit"] == pytest.approx(row["wall_s"] / row["units"])
    assert document["runs"][0]["speed_up"] == pytest.approx(1.0)


def test_one_and_two_workers_publish_the_same_files(bench_run):
    _, workdir, _, _ = bench_run
    one, two = _files(workdir / "out-1-workers"), _files(workdir / "out-2-workers")
    assert sorted(one) == sorted(two)
    reports = [path for path in one if path.endswith("/wres_report.html")]
    organisations = {path.split("/")[1] for path in reports}
    assert len(reports) == KEPT * SNAPSHOTS and organisations == {organisation_code(0), organisation_code(1)}
    csvs = {path: content for path, content in one.items() if path.endswith(".csv")}
    assert len(csvs) >= KEPT * SNAPSHOTS * 2  # at least the two contract tables per unit
    assert {path: two[path] for path in csvs} == csvs


def test_the_table_reads_speed_up_against_one_worker():
    runs = [
        publication_workers.WorkerRun(2, 4, 5.0, 7.0, 2),
        publication_workers.WorkerRun(1, 4, 8.0, 10.0, 2),
    ]
    lines = publication_workers.table(runs, 2).splitlines()
    assert lines[1].split() == ["2", "4", "2", "5.0", "1.250", "1.60", "7.0"]  # 8 / 5 = 1.6
    assert lines[2].split() == ["1", "4", "2", "8.0", "2.000", "1.00", "10.0"]
    assert lines[-1] == "os.cpu_count() = 2"
