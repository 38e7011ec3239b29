"""The weekly WRES flow: ingest → validate → build the warehouse → publish.

Deployed by ``prefect.yaml`` (Mondays 07:00 Europe/London) or served by ``wres serve``.
Tasks are thin wrappers around plain library functions; retries only around I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal

from wres.config import Settings, load_settings
from wres.faults import checkpoint
from wres.pipeline import IngestResult, deliver, ingest, new_run_id, now_utc, write_data_docs
from wres.publish import (
    PublicationProgress,
    PublicationUnit,
    Renderer,
    prepare_publication,
    render_locally,
    render_unit_files,
    switch_publication,
    write_unit_files,
)
from wres.run_lock import exclusive_run
from wres.state import BUILD_MEMORY_LIMIT, StateStore
from wres.warehouse import build_warehouse, publish_warehouse


@task(name="ingest and validate the inbox", cache_policy=NO_CACHE)
def ingest_task(settings: Settings, run_id: str) -> IngestResult:
    with StateStore(settings.paths.state) as store:
        result = ingest(store, settings, run_id)
    write_data_docs(result, settings)
    return result


@task(name="build the analyst warehouse", cache_policy=NO_CACHE)
def warehouse_task(settings: Settings, run_id: str, result: IngestResult) -> Path:
    with StateStore(settings.paths.state, memory_limit=BUILD_MEMORY_LIMIT) as store:
        store.finish_run(  # completed once the warehouse and publication are in place
            run_id,
            now=now_utc(),
            status="publishing",
            exit_code=result.exit_code,
            counts={
                "seen": len(result.outcomes),
                "loaded": result.count("loaded"),
                "rejected": result.count("rejected"),
                "unchanged": result.count("unchanged"),
            },
        )
        logger = get_run_logger()
        return build_warehouse(store.con, settings, progress=lambda step: logger.info("building %s", step))


@task(name="render one organisation's publication", cache_policy=NO_CACHE)
def render_unit_task(unit: PublicationUnit, settings: Settings) -> dict[str, bytes]:
    """One organisation at one snapshot, rendered on a Dask worker; its files come back as bytes,
    so the workers need no file system shared with the publication."""
    return render_unit_files(unit, settings)


def render_on_dask(address: str) -> Renderer:
    """A renderer that maps the publication units over the Dask cluster at ``address`` as Prefect
    tasks (prefect-dask's ``DaskTaskRunner``), writing each unit's files here as they come back."""

    def render(units: Sequence[PublicationUnit], settings: Settings) -> None:
        from prefect_dask import DaskTaskRunner

        progress = PublicationProgress(units)
        with DaskTaskRunner(address=address) as runner:
            futures = [runner.submit(render_unit_task, {"unit": u, "settings": settings}) for u in units]
            for unit, future in zip(units, futures, strict=True):
                write_unit_files(unit.folder, future.result())
                progress.finished(unit)

    return render


def publication_renderer(settings: Settings) -> Renderer:
    """Local worker processes, or the Dask cluster of ``dask_scheduler_address`` when it is set."""
    if settings.dask_scheduler_address:
        return render_on_dask(settings.dask_scheduler_address)
    return render_locally


@task(name="publish the weekly report and tables", cache_policy=NO_CACHE)
def publish_task(settings: Settings, new_warehouse: Path) -> tuple[Path, Path | None]:
    """Prepare the publication from the new warehouse, then swap in the warehouse and switch the
    publication, one right after the other: a crash before leaves both as they were."""
    try:
        prepared = prepare_publication(new_warehouse, settings, render=publication_renderer(settings))
        checkpoint("publish:before-switch")
        warehouse = publish_warehouse(new_warehouse, settings)
    except Exception:
        # a failure before the swap: the new warehouse (row level) is not left lying beside the
        # analysts' one until the next run
        new_warehouse.unlink(missing_ok=True)
        raise
    latest = switch_publication(prepared) if prepared is not None else None
    return warehouse, latest


@task(name="deliver the publication", cache_policy=NO_CACHE)
def deliver_task(settings: Settings, latest: Path) -> None:
    deliver(latest, settings)


@flow(name="wres-weekly", log_prints=True)
def weekly(
    inbox: str | None = None,
    warehouse: str | None = None,
    out: str | None = None,
    state: str | None = None,
    config: str | None = None,
) -> int:
    """One run of the monitor. Returns the exit code: 0 all files passed, 1 a file was rejected."""
    settings = load_settings(Path(config) if config else None).with_paths(
        inbox=inbox, warehouse=warehouse, out=out, state=state
    )
    return run_with_settings(settings)


def run_with_settings(settings: Settings) -> int:
    """One run, holding the state folder's run lock throughout (``wres.run_lock``)."""
    with exclusive_run(settings.paths.state):
        return _run_holding_the_lock(settings)


def _run_holding_the_lock(settings: Settings) -> int:
    logger = get_run_logger()
    run_id = new_run_id()
    with StateStore(settings.paths.state) as store:
        store.start_run(run_id, now_utc())
    try:
        result = ingest_task(settings, run_id)
        new_warehouse = warehouse_task(settings, run_id, result)
        warehouse, published = publish_task(settings, new_warehouse)
        logger.info("warehouse published: %s", warehouse)
        if published:
            logger.info("publication: %s", published)
            deliver_task(settings, published)
        with StateStore(settings.paths.state) as store:
            store.complete_run(run_id, now_utc())
    except BaseException as error:
        # Ctrl-C; or SIGTERM, which Prefect turns into TerminationSignal inside a flow
        stopped = isinstance(error, KeyboardInterrupt | TerminationSignal)
        with StateStore(settings.paths.state) as store:
            store.finish_run(
                run_id,
                now=now_utc(),
                status="interrupted" if stopped else "failed",
                exit_code=130 if stopped else 3,
                counts={},
                message=f"{type(error).__name__}: {error}"[:2000],
            )
        raise
    for rejected in result.rejected:
        logger.error("rejected %s: %s", rejected.name, rejected.message)
    return result.exit_code
