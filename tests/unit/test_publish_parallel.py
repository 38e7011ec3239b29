"""Publication rendered once per chart spec and in parallel (wres/charts.py, wres/publish.py).

The charts of the hand-made report fixture (tests/unit/test_charts.py) for two organisations at
two snapshots: the files must be byte for byte those of Altair's own ``chart.save`` and of a
serial run, whatever renders them.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import polars as pl
import pytest

from tests.unit.test_charts import NOW, ORGANISATION, PREVIOUS, report_fixture_tables
from wres import charts
from wres.config import Settings
from wres.publish import (
    PublicationUnit,
    _select,
    render_locally,
    render_unit_files,
    write_unit,
    write_unit_files,
)

OTHER = "RYY"


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    """The fixture's frames for ``RXX`` and a copy of them as a second organisation ``RYY``."""
    tables = report_fixture_tables()
    for name in ("wres_indicators", "representation", "trends"):
        frame = tables[name]
        tables[name] = pl.concat([frame, frame.with_columns(organisation_code=pl.lit(OTHER))])
    return tables


def _units(root: Path, tables: dict[str, pl.DataFrame]) -> list[PublicationUnit]:
    return [
        PublicationUnit(root / snapshot.isoformat() / org, _select(tables, org, snapshot), org, snapshot)
        for snapshot in (PREVIOUS, NOW)
        for org in (ORGANISATION, OTHER)
    ]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_chart_spec_is_the_validated_spec(tables):
    built = charts.report_charts(tables, organisation=ORGANISATION, snapshot_date=NOW, settings=Settings())
    assert len(built) == 12
    for chart in built.values():
        assert charts.chart_spec(chart) == chart.to_dict()  # to_dict() validates against the schema


def test_vega_lite_version_is_one_vl_convert_has():
    import vl_convert

    # an unknown version would make every export fail, not fall back silently
    assert charts.VEGA_LITE_VERSION.lstrip("v").replace("_", ".") in vl_convert.get_vegalite_versions()


@pytest.mark.parametrize("name", ["board", "trend_relative_likelihood", "trust_band_profile"])
def test_save_chart_spec_writes_what_chart_save_writes(tables, tmp_path: Path, name):
    chart = charts.report_charts(tables, organisation=ORGANISATION, snapshot_date=NOW, settings=Settings())[
        name
    ]
    chart.save(str(tmp_path / "altair.png"), scale_factor=2)
    chart.save(str(tmp_path / "altair.svg"))
    paths = charts.save_chart_spec(charts.chart_spec(chart), tmp_path / "charts", name)
    assert paths["png"].read_bytes() == (tmp_path / "altair.png").read_bytes()
    assert paths["svg"].read_bytes() == (tmp_path / "altair.svg").read_bytes()


@pytest.fixture(scope="module")
def serial(tables, tmp_path_factory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("serial")
    render_locally(_units(root, tables), dataclasses.replace(Settings(), publication_workers=1))
    return _files(root)


def test_a_serial_run_writes_every_folder(serial):
    folders = {path.rsplit("/", 2)[0] if "/charts/" in path else path.rsplit("/", 1)[0] for path in serial}
    assert folders == {f"{d.isoformat()}/{org}" for d in (PREVIOUS, NOW) for org in (ORGANISATION, OTHER)}
    report = serial[f"{NOW.isoformat()}/{OTHER}/wres_report.html"].decode()
    assert f"Workforce Race Equality Standard: {OTHER}, 31 Mar 2025" in report
    assert f"{NOW.isoformat()}/{ORGANISATION}/charts/board.png" in serial


def test_two_worker_processes_write_the_same_bytes(tables, serial, tmp_path: Path, caplog):
    caplog.set_level(logging.INFO, logger="wres")
    render_locally(_units(tmp_path, tables), dataclasses.replace(Settings(), publication_workers=2))
    assert _files(tmp_path) == serial
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("published")]
    assert sorted(progress) == [
        "published 1/2 organisations of 2024-12-31",
        "published 1/2 organisations of 2025-03-31",
        "published 2/2 organisations of 2024-12-31",
        "published 2/2 organisations of 2025-03-31",
    ]


def test_files_rendered_elsewhere_are_the_same_bytes(tables, serial, tmp_path: Path):
    for unit in _units(Path("unused"), tables):
        files = render_unit_files(unit, Settings())
        write_unit_files(tmp_path / unit.folder.relative_to("unused"), files)
    assert _files(tmp_path) == serial


def test_one_organisation_renders_in_this_process(tables, tmp_path: Path):
    # one organisation: no pool is started, whatever publication_workers says
    units = [u for u in _units(tmp_path, tables) if u.organisation == ORGANISATION]
    render_locally(units, dataclasses.replace(Settings(), publication_workers=4))
    assert sorted(p.name for p in (tmp_path / NOW.isoformat() / ORGANISATION).iterdir()) == [
        "charts",
        "representation.csv",
        "validation_report.txt",
        "wres_indicators.csv",
        "wres_report.html",
        "wres_tables.xlsx",
    ]
    assert write_unit(units[0], Settings()) is units[0]


def test_a_publication_is_named_by_what_changes_its_files_only(tables):
    """Workers, the output folder, the Dask address and mail change no published byte, so they leave
    the version's name alone; a disclosure threshold changes the files, so it renames the version."""
    from wres.config import Disclosure, Paths
    from wres.publish import _input_digest

    selected = _select(tables, ORGANISATION, NOW)
    base = Settings()
    same = dataclasses.replace(
        base,
        paths=Paths(out=Path("/elsewhere/out"), warehouse=Path("/elsewhere/w.duckdb")),
        publication_workers=7,
        dask_scheduler_address="tcp://10.0.0.1:8786",
        delivery_folder=Path("/shared/wres"),
    )
    other = dataclasses.replace(base, disclosure=Disclosure(min_count=base.disclosure.min_count + 5))
    assert _input_digest(selected, same) == _input_digest(selected, base)
    assert _input_digest(selected, other) != _input_digest(selected, base)
