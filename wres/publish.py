"""Lay out the publication: a folder per snapshot date (a subfolder per organisation when there
are several) plus ``latest/``, every folder swapped in atomically through a symlink.

A publication version is written completely under ``.versions/`` first; only then does each
date's symlink (and ``latest``) move to it, with ``os.replace`` of a new link over the old one. A
crash before a swap leaves the previous publication as it was. A run whose files would be byte
for byte the same as those published changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from pathlib import Path

import duckdb
import polars as pl

from wres.config import Settings
from wres.sdc import blank_hidden_cells, blank_hidden_representation

log = logging.getLogger("wres")

VERSIONS = ".versions"


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
latest as (
    select v.*, row_number() over (partition by v.sha256, v.check_name, v.column_name
                                   order by v.validated_at desc, v.run_id desc) as newest
    from ops.validation_results v
)
select s.name, s.kind, s.status, l.check_name, l.column_name, l.severity, l.message
from shown s left join latest l on l.sha256 = s.sha256 and l.newest = 1 and not l.passed
order by s.status desc, s.name, l.severity, l.check_name, l.column_name
"""


def data_quality(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Failed checks of every file behind the publication (see _DATA_QUALITY)."""
    return con.sql(_DATA_QUALITY).pl()


def validation_report_text(quality: pl.DataFrame) -> str:
    lines = ["Validation report", ""]
    for (name, status), rows in quality.group_by(["name", "status"], maintain_order=True):
        failures = rows.filter(pl.col("check_name").is_not_null())
        label = (
            "REJECTED" if status == "rejected" else ("loaded with warnings" if failures.height else "loaded")
        )
        lines.append(f"{name}: {label}")
        lines.extend(f"  - [{r['severity']}] {r['message']}" for r in failures.iter_rows(named=True))
    return "\n".join(lines) + "\n"


def _write_folder(folder: Path, tables: dict[str, pl.DataFrame], quality: pl.DataFrame) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(folder / f"{name}.csv")
    (folder / "validation_report.txt").write_text(validation_report_text(quality), encoding="utf-8")


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _swap_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` atomically (a new link beside it, renamed over it)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} is a real folder, not a publication link: move it away")
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    os.symlink(target, temporary)
    os.replace(temporary, link)


def publish(warehouse: Path, settings: Settings) -> Path | None:
    """Write the publication for every snapshot; return the ``latest`` folder (None: no snapshot)."""
    out = Path(settings.paths.out)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = published_tables(con, settings)
        quality = data_quality(con)
    finally:
        con.close()
    indicators = tables["wres_indicators"]
    if indicators.is_empty():
        log.warning("nothing to publish: no staff-in-post snapshot has been loaded")
        return None
    versions = out / VERSIONS
    versions.mkdir(exist_ok=True)
    organisations = sorted(indicators["organisation_code"].unique().to_list())
    snapshots = sorted(indicators["snapshot_date"].unique().to_list())
    links: dict[str, str] = {}
    for snapshot in snapshots:
        building = versions / f".building-{uuid.uuid4().hex[:8]}"
        for organisation in organisations:
            selected = {
                name: frame.filter(
                    (pl.col("snapshot_date") == snapshot) & (pl.col("organisation_code") == organisation)
                )
                for name, frame in tables.items()
            }
            if selected["wres_indicators"].is_empty():
                continue
            folder = building if len(organisations) == 1 else building / organisation
            _write_folder(folder, selected, quality)
        version = f"{snapshot.isoformat()}-{_digest(building)}"
        final = versions / version
        if final.exists():
            shutil.rmtree(building)
        else:
            os.replace(building, final)
        links[snapshot.isoformat()] = f"{VERSIONS}/{version}"
    for name, target in links.items():
        _swap_link(out / name, target)
    _swap_link(out / "latest", links[snapshots[-1].isoformat()])
    _remove_unlinked_versions(out)
    return out / "latest"


def _remove_unlinked_versions(out: Path) -> None:
    linked = {os.path.basename(os.readlink(p)) for p in out.iterdir() if p.is_symlink()}
    for version in (out / VERSIONS).iterdir():
        if version.name not in linked:
            shutil.rmtree(version, ignore_errors=True)
