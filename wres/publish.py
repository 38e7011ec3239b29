"""Lay out the publication: a folder per snapshot date (a subfolder per organisation when there
are several) plus ``latest/``, every folder swapped in atomically through a symlink.

A publication version is written completely under ``.versions/`` first; only then does each
date's symlink (and ``latest``) move to it, with ``os.replace`` of a new link over the old one. A
crash before a swap leaves the previous publication as it was. A run whose files would be byte
for byte the same as those published changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from wres.config import Settings
from wres.faults import checkpoint
from wres.inbox import accepted_names, resembled_kind
from wres.messages import plural
from wres.processes import exit_with_parent
from wres.sdc import blank_hidden_cells, blank_hidden_representation
from wres.validation import published_message
from wres.values import ORGANISATION_CODE_PATTERN

log = logging.getLogger("wres")

VERSIONS = ".versions"
REPORT_NAME = "wres_report.html"
# a multi-organisation publication's report of all organisations side by side, in each date's folder
NATIONAL_REPORT_NAME = "national_report.html"


def published_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, pl.DataFrame]:
    """The two contract tables as published: the warehouse's final ``suppressed`` flags applied
    (hidden cells blank, wres.sdc)."""
    indicators = con.sql("select * from marts.wres_indicators").pl()
    representation = con.sql("select * from marts.representation").pl()
    return {
        "wres_indicators": blank_hidden_cells(indicators, settings),
        "representation": blank_hidden_representation(representation, settings),
    }


# the data behind the numbers: every file in force, and every file the last run rejected, with the
# failed checks of its latest validation (stable from run to run when nothing changes)
_DATA_QUALITY = """
with last_run as (select run_id from ops.runs order by started_at desc, run_id desc limit 1),
shown as (
    select f.sha256, f.name, f.kind, f.status from ops.loaded_files f where f.status = 'loaded'
    union
    select f.sha256, f.name, f.kind, f.status from ops.loaded_files f
    join ops.run_files rf on rf.sha256 = f.sha256 and rf.run_id = (select run_id from last_run)
    where f.status = 'rejected'
),
-- each file's results from the last run that validated it: they describe the bytes under the
-- settings that decided their status (a failure of an earlier run, since fixed by an alias or a
-- severity setting, is not shown beside the file's load)
last_validation as (
    select sha256, arg_max(run_id, (validated_at, run_id)) as run_id
    from ops.validation_results where sha256 is not null group by sha256
),
-- labels the current settings still leave unrecognised (the staging tables apply today's aliases),
-- per file: a band or staff-group warning whose labels an alias has since mapped is not shown
still_unrecognised as (
    select file_sha256 as sha256, 'unrecognised_band' as check_name
    from staging.staff_in_post where not coalesce(band_recognised, true)
    union
    select file_sha256, 'unrecognised_staff_group' from staging.staff_in_post
    where not coalesce(staff_group_recognised, true)
    union
    select file_sha256, 'unrecognised_band' from staging.recruitment where not coalesce(band_recognised, true)
    union
    select file_sha256, 'unrecognised_staff_group' from staging.recruitment
    where not coalesce(staff_group_recognised, true)
),
latest as (
    select v.* from ops.validation_results v
    join last_validation lv on lv.sha256 = v.sha256 and lv.run_id = v.run_id
    where not v.passed
      and (v.check_name not in ('unrecognised_band', 'unrecognised_staff_group')
           or exists (select 1 from still_unrecognised u
                      where u.sha256 = v.sha256 and u.check_name = v.check_name))
)
select s.name, s.kind, s.status, l.check_name, l.column_name, l.severity, l.message
from shown s left join latest l on l.sha256 = s.sha256
union all
-- from the last run, results that belong to no loaded bytes: a file rejected by its name alone
-- (an impossible date), and warnings about the data as a whole (no catchment, say)
select v.file_name, v.kind, case when v.severity = 'critical' then 'rejected' else 'warning' end,
       v.check_name, v.column_name, v.severity, v.message
from ops.validation_results v
where v.sha256 is null and not v.passed and v.run_id = (select run_id from last_run)
order by 3 desc, 1, 6, 4, 5
"""


OTHER_FILES_LEFT_ALONE = "(other files)"


def _other_names_left_alone_kept_private(quality: pl.DataFrame) -> pl.DataFrame:
    """A file left alone whose name is not a misnamed extract's may be named anything (after a
    person, say): the publication gives how many there were, not their names, which the
    warehouse's ``ops.run_files`` keeps."""
    others = (pl.col("check_name") == "unrecognised_file_name") & ~pl.col("name").map_elements(
        lambda name: resembled_kind(name) is not None, return_dtype=pl.Boolean
    )
    count = quality.filter(others).height
    if not count:
        return quality
    summary = {
        "name": OTHER_FILES_LEFT_ALONE,
        "kind": "",
        "status": "warning",
        "check_name": "unrecognised_file_name",
        "column_name": "file name",
        "severity": "warning",
        "message": (
            f"{plural(count, 'file')} left alone, not loaded: "
            f"{'its name matches' if count == 1 else 'their names match'} none of the accepted forms "
            f"({accepted_names()}). The names are in the warehouse's ops.run_files."
        ),
    }
    kept = quality.filter(~others.fill_null(False))
    return pl.concat([kept, pl.DataFrame([summary], schema=quality.schema)])


def data_quality(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Failed checks of every file behind the publication (see _DATA_QUALITY), each message as
    published: without the counts of people behind the figures (``published_message``), and
    without the names of files left alone that are not misnamed extracts."""
    quality = _other_names_left_alone_kept_private(con.sql(_DATA_QUALITY).pl())
    return quality.with_columns(
        pl.struct("check_name", "severity", "message")
        .map_elements(
            lambda r: (
                None
                if r["message"] is None
                else published_message(r["check_name"], r["severity"], r["message"])
            ),
            return_dtype=pl.String,
        )
        .alias("message")
    )


def validation_report_text(quality: pl.DataFrame) -> str:
    lines = ["Validation report", ""]
    for (name, status), rows in quality.group_by(["name", "status"], maintain_order=True):
        failures = rows.filter(pl.col("check_name").is_not_null())
        label = {"rejected": "REJECTED", "warning": "WARNING"}.get(
            status, "loaded with warnings" if failures.height else "loaded"
        )
        lines.append(f"{name}: {label}")
        lines.extend(f"  - [{r['severity']}] {r['message']}" for r in failures.iter_rows(named=True))
    return "\n".join(lines) + "\n"


PUBLISHING_MODULES = ("publish", "charts", "report", "tables", "sdc", "funnel", "national_report")


def published_trends(con: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    """The trends view as published: a value, and any change resting on it, blank where hidden."""
    trends = blank_hidden_cells(con.sql("select * from marts.wres_indicator_trends").pl(), settings)
    return trends.with_columns(
        pl.when(pl.col("previous_suppressed").fill_null(False) | pl.col("suppressed"))
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("previous_value", "change_from_previous")
    ).with_columns(
        pl.when(pl.col("year_earlier_suppressed").fill_null(False) | pl.col("suppressed"))
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("year_earlier_value", "change_from_year_earlier")
    )


def _select(tables: dict[str, pl.DataFrame], organisation: str, snapshot: date) -> dict[str, pl.DataFrame]:
    """One organisation's frames for the report at ``snapshot`` (indicators: every snapshot up to it,
    for the trend charts)."""

    def of(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("organisation_code") == organisation)

    return {
        "wres_indicators": of(tables["wres_indicators"]).filter(pl.col("snapshot_date") <= snapshot),
        "representation": of(tables["representation"]).filter(pl.col("snapshot_date") == snapshot),
        "trends": of(tables["trends"]).filter(pl.col("snapshot_date") == snapshot),
        "data_quality": tables["data_quality"],
    }


def _publishing_settings(settings: Settings) -> Settings:
    """``settings`` with what cannot change a published file set to its default (where files go,
    how they are rendered and delivered): running with more workers or another output folder
    renders nothing again."""
    return dataclasses.replace(
        settings,
        paths=Settings().paths,
        mail=Settings().mail,
        delivery_folder=None,
        pseudonymisation_key_file=None,
        dask_scheduler_address=None,
        publication_workers=Settings().publication_workers,
    )


def _input_digest(selected: dict[str, pl.DataFrame], settings: Settings) -> str:
    """What a publication folder is made from: its frames, the settings and the publishing code."""
    digest = hashlib.sha256(repr(_publishing_settings(settings)).encode())
    package = Path(__file__).resolve().parent
    for module in PUBLISHING_MODULES:
        digest.update((package / f"{module}.py").read_bytes())
    for name in sorted(selected):
        digest.update(name.encode())
        digest.update(selected[name].write_csv().encode())
    return digest.hexdigest()[:16]


def write_publication_folder(
    folder: Path, selected: dict[str, pl.DataFrame], *, organisation: str, snapshot: date, settings: Settings
) -> None:
    """Every published file of one organisation at one snapshot, into ``folder``."""
    from wres.charts import chart_spec, report_charts, save_chart_spec
    from wres.report import render_report
    from wres.tables import workbook_notes, write_tables

    folder.mkdir(parents=True, exist_ok=True)
    at_snapshot = {
        "wres_indicators": selected["wres_indicators"].filter(pl.col("snapshot_date") == snapshot),
        "representation": selected["representation"],
    }
    sources = sorted(selected["data_quality"].filter(pl.col("status") == "loaded")["name"].unique().to_list())
    notes = workbook_notes(organisation=organisation, snapshot=snapshot, settings=settings, sources=sources)
    write_tables(folder, at_snapshot, notes=notes, data_quality=selected["data_quality"])
    checkpoint("publish:mid-folder")
    (folder / "validation_report.txt").write_text(
        validation_report_text(selected["data_quality"]), encoding="utf-8"
    )
    charts = report_charts(selected, organisation=organisation, snapshot_date=snapshot, settings=settings)
    specs = {name: chart_spec(chart) for name, chart in charts.items()}  # built once, used three times
    for name, spec in specs.items():
        save_chart_spec(spec, folder / "charts", name)
    render_report(
        selected,
        specs,
        organisation=organisation,
        snapshot_date=snapshot,
        settings=settings,
        path=folder / REPORT_NAME,
    )


@dataclass(frozen=True)
class PublicationUnit:
    """One organisation at one snapshot, or (``organisation`` None) the national report of all the
    organisations at one snapshot: the folder its files go to and the frames they are made from
    (published, disclosure-controlled frames only, never row-level data)."""

    folder: Path
    selected: dict[str, pl.DataFrame]
    organisation: str | None
    snapshot: date

    @property
    def is_national(self) -> bool:
        return self.organisation is None


def _national_selection(tables: dict[str, pl.DataFrame], snapshot: date) -> dict[str, pl.DataFrame]:
    """Every organisation's published frames at ``snapshot``, for the national report."""
    return {
        "wres_indicators": tables["wres_indicators"].filter(pl.col("snapshot_date") == snapshot),
        "representation": tables["representation"].filter(pl.col("snapshot_date") == snapshot),
    }


def _write_unit_folder(folder: Path, unit: PublicationUnit, settings: Settings) -> None:
    if unit.organisation is None:
        from wres.national_report import render_national_report

        folder.mkdir(parents=True, exist_ok=True)
        render_national_report(
            unit.selected, snapshot=unit.snapshot, settings=settings, path=folder / NATIONAL_REPORT_NAME
        )
        return
    write_publication_folder(
        folder, unit.selected, organisation=unit.organisation, snapshot=unit.snapshot, settings=settings
    )


def write_unit(unit: PublicationUnit, settings: Settings) -> PublicationUnit:
    """Write ``unit``'s files into its folder (a worker's job); return the unit, for progress."""
    _write_unit_folder(unit.folder, unit, settings)
    return unit


def render_unit_files(unit: PublicationUnit, settings: Settings) -> dict[str, bytes]:
    """``unit``'s files, by path relative to its folder, rendered in a temporary folder: for a worker
    on another machine, which shares no file system with the publication."""
    with tempfile.TemporaryDirectory(prefix="wres-unit-") as scratch:
        root = Path(scratch) / "unit"
        _write_unit_folder(root, unit, settings)
        return {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }


def write_unit_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write the files ``render_unit_files`` returned into ``folder``."""
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


class PublicationProgress:
    """Counts the units done per snapshot and logs 'published 40/220 organisations of 2025-03-31'."""

    def __init__(self, units: Sequence[PublicationUnit]) -> None:
        self.total: dict[date, int] = {}
        for unit in units:
            if not unit.is_national:
                self.total[unit.snapshot] = self.total.get(unit.snapshot, 0) + 1
        self.done = dict.fromkeys(self.total, 0)
        self.step = {day: max(1, count // 10) for day, count in self.total.items()}

    def finished(self, unit: PublicationUnit) -> None:
        day = unit.snapshot
        if unit.is_national:
            log.info("national report of %s written", day.isoformat())
            return
        self.done[day] += 1
        if self.done[day] % self.step[day] == 0 or self.done[day] == self.total[day]:
            log.info("published %d/%d organisations of %s", self.done[day], self.total[day], day.isoformat())


# Renders every unit's folder: local worker processes by default, or a Dask cluster (flows/weekly.py)
Renderer = Callable[[Sequence[PublicationUnit], Settings], None]


def render_locally(units: Sequence[PublicationUnit], settings: Settings) -> None:
    """Write every unit's folder, in ``settings.publication_workers`` worker processes.

    In this process when there is one worker or one organisation (no pool start-up to pay). The
    workers are spawned, not forked: a fork copies DuckDB's and Prefect's threads' locks mid-use.
    A worker killed at a crash point (wres.faults) kills this process at the same point; a worker
    whose parent is killed ends itself (``wres.processes``).
    """
    progress = PublicationProgress(units)
    workers = min(settings.publication_workers, len(units))
    if workers <= 1 or len({unit.organisation for unit in units}) <= 1:
        for unit in units:
            progress.finished(write_unit(unit, settings))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),)
    ) as pool:
        try:
            for future in as_completed([pool.submit(write_unit, unit, settings) for unit in units]):
                progress.finished(future.result())
        except BrokenProcessPool as error:
            checkpoint("publish:mid-folder")  # the worker died there: so does the run
            raise RuntimeError("a publication worker process died") from error


def _swap_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` atomically (a new link beside it, renamed over it)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} is a real folder, not a publication link: move it away")
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    os.symlink(target, temporary)
    os.replace(temporary, link)


def read_published_tables(warehouse: Path, settings: Settings) -> dict[str, pl.DataFrame]:
    """Everything the publication is made from, after disclosure control, read from the warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = published_tables(con, settings)
        tables["trends"] = published_trends(con, settings)
        tables["data_quality"] = data_quality(con)
    finally:
        con.close()
    return tables


@dataclass(frozen=True)
class PreparedPublication:
    """A publication written under ``.versions/`` and not yet switched in."""

    out: Path
    links: dict[str, str]  # name (a snapshot date or "latest") -> version folder


def prepare_publication(
    warehouse: Path, settings: Settings, render: Renderer = render_locally
) -> PreparedPublication | None:
    """Write the publication of every snapshot under ``.versions/`` (None: no snapshot yet).

    Each snapshot's folder is named by a digest of what it is made from, so a snapshot whose data,
    settings and publishing code are unchanged is not rendered again, and a run that changes nothing
    leaves every published file as it was. Nothing visible changes until ``switch_publication``.
    ``render`` writes the folders of the (organisation, snapshot) units to be rendered.
    """
    out = Path(settings.paths.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = read_published_tables(warehouse, settings)
    indicators = tables["wres_indicators"]
    if indicators.is_empty():
        log.warning("nothing to publish: no staff-in-post snapshot has been loaded")
        return None
    versions = out / VERSIONS
    versions.mkdir(exist_ok=True)
    organisations = sorted(indicators["organisation_code"].unique().to_list())
    unsafe = [org for org in organisations if not ORGANISATION_CODE_PATTERN.fullmatch(org)]
    if unsafe:  # validation rejects such codes; a state loaded before it did may still hold one
        raise ValueError(
            f"organisation codes that cannot name a publication folder: {', '.join(map(repr, unsafe))}; "
            "the files that carry them were loaded before such codes were rejected: correct them in "
            "the inbox and run again with a new state folder (--state)"
        )
    snapshots = sorted(indicators["snapshot_date"].unique().to_list())
    links: dict[str, str] = {}
    units: list[PublicationUnit] = []
    national: list[PublicationUnit] = []
    building_to_final: dict[Path, Path] = {}
    for snapshot in snapshots:
        present = indicators.filter(pl.col("snapshot_date") == snapshot)["organisation_code"].unique()
        parts = {org: _select(tables, org, snapshot) for org in organisations if org in present}
        digest = hashlib.sha256("".join(_input_digest(p, settings) for p in parts.values()).encode())
        version = f"{snapshot.isoformat()}-{digest.hexdigest()[:16]}"
        final = versions / version
        if not final.exists():
            log.info("publishing %s (%d organisation(s))", snapshot.isoformat(), len(parts))
            building = versions / f".building-{uuid.uuid4().hex[:8]}"
            building.mkdir()
            building_to_final[building] = final
            if len(organisations) > 1:
                selection = _national_selection(tables, snapshot)
                national.append(PublicationUnit(building, selection, None, snapshot))
            units += [
                PublicationUnit(
                    building if len(organisations) == 1 else building / organisation,
                    selected,
                    organisation,
                    snapshot,
                )
                for organisation, selected in parts.items()
            ]
        links[snapshot.isoformat()] = version
    if units or national:  # the national reports first: the largest units, and what a region reads first
        render(national + units, settings)
    for building, final in building_to_final.items():
        os.replace(building, final)
    links["latest"] = links[snapshots[-1].isoformat()]
    return PreparedPublication(out, links)


CURRENT = "current"


def switch_publication(prepared: PreparedPublication) -> Path:
    """Make the prepared publication the one in force, in one atomic step; return ``latest``.

    A publication set is a folder of relative links ``.versions/set-<digest>/<name>`` ->
    ``../<version>``; ``out/current`` points at the set in force, and every ``out/<name>`` at
    ``current/<name>``. Moving ``current`` (a new link renamed over the old) switches every date
    and ``latest`` at once, so a reader or a crash sees the old publication or the new, never a mix.
    """
    out, links = prepared.out, prepared.links
    versions = out / VERSIONS
    digest = hashlib.sha256(repr(sorted(links.items())).encode()).hexdigest()[:16]
    publication_set = versions / f"set-{digest}"
    if not publication_set.exists():
        building = versions / f".building-set-{uuid.uuid4().hex[:8]}"
        building.mkdir()
        for name, version in links.items():
            os.symlink(f"../{version}", building / name)
        os.replace(building, publication_set)
    for name in links:  # a new date's link dangles until the switch below: never a wrong folder
        _swap_link(out / name, f"{CURRENT}/{name}")
    _swap_link(out / CURRENT, f"{VERSIONS}/{publication_set.name}")
    _remove_unused_versions(out, publication_set, links)
    return out / "latest"


def _remove_unused_versions(out: Path, publication_set: Path, links: dict[str, str]) -> None:
    keep = {publication_set.name, *links.values()}
    for entry in (out / VERSIONS).iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    for link in out.iterdir():  # a date no longer published (its snapshot file replaced or gone)
        if link.is_symlink() and link.name not in links and link.name != CURRENT:
            link.unlink()
