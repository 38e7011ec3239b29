"""The ``wres`` command: run the weekly flow, make and run the demo trust, serve the schedule.

Exit codes (CONTRACT section 4): 0 every file passed validation; 1 a file was rejected (the rest
was still processed and published); 2 a usage or settings error; 3 an unexpected internal error.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from wres.config import Paths, Settings, load_settings
from wres.errors import ConfigError
from wres.inbox import holds_an_extract
from wres.prefect_server import local_prefect_server
from wres.pseudonymise import load_key
from wres.runtime import configure_prefect_environment, first_prefect_run, prefect_home

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="WRES monitor: workforce race equality indicators for NHS trusts and their maternity services.",
)

InboxOption = Annotated[Path | None, typer.Option("--inbox", help="Folder of HR and survey extracts.")]
WarehouseOption = Annotated[Path | None, typer.Option("--warehouse", help="Analyst DuckDB file to publish.")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Publication folder.")]
StateOption = Annotated[Path | None, typer.Option("--state", help="The job's own state folder.")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Settings file (default: ./wres.toml).")]


def _setup_logging(settings: Settings) -> Path:
    folder = Path(settings.paths.state) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    log_file = folder / f"wres-{datetime.now():%Y%m%d-%H%M%S}.log"
    logger = logging.getLogger("wres")
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    file_handler = logging.FileHandler(log_file, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(file_handler)
    # Great Expectations narrates its temporary folders at INFO: not news for a user
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return log_file


def check_aliases(settings: Settings) -> None:
    """Fail fast (exit 2) on an alias whose target is not a column, code, band or staff group."""
    from wres.bands import normalise_band
    from wres.ethnicity import classify_ethnic_origin
    from wres.kinds import KINDS, SURVEY_QUESTIONS
    from wres.staff_groups import canonical_staff_group

    columns = {column.name for kind in KINDS.values() for column in kind.columns}
    wrong = sorted(
        f'"{header}" = "{target}"'
        for header, target in settings.header_aliases.items()
        if target not in columns
    )
    if wrong:
        raise ConfigError(
            f"[aliases.headers]: {', '.join(wrong)} name no column; columns: {', '.join(sorted(columns))}"
        )
    questions = sorted(
        f'"{header}" = "{target}"'
        for header, target in settings.header_aliases.items()
        if target in SURVEY_QUESTIONS
    )
    if questions:
        raise ConfigError(
            f"[aliases.headers]: {', '.join(questions)}: the survey's question columns differ by year, "
            'so they are named per year in [survey_questions], e.g. "2024" = { q14a = "Your header" }'
        )
    # each alias classified through itself: a wrong target raises ConfigError naming it. Aliases
    # serve every kind, so the target must be an NHS code or label (a census group name such as
    # "White" only the survey knows)
    for label, target in settings.ethnicity_aliases.items():
        if classify_ethnic_origin(label, settings.ethnicity_aliases, survey=True) is not None:
            try:
                classify_ethnic_origin(label, settings.ethnicity_aliases)
            except ConfigError:
                raise ConfigError(
                    f"ethnicity alias {label!r} = {target!r}: {target!r} is a census group name, which staff "
                    "extracts do not use: give an NHS ethnic category code (A to S, Z or 99) or label"
                ) from None
    for label in settings.band_aliases:
        normalise_band(label, settings.band_aliases)
    for label in settings.staff_group_aliases:
        canonical_staff_group(label, settings.staff_group_aliases)


def _load(config: Path | None, **paths: Path | None) -> Settings:
    from wres.validation import check_severities

    try:
        settings = load_settings(config).with_paths(**paths)
        check_aliases(settings)
        check_severities(settings)
        return settings
    except ConfigError as error:
        typer.echo(f"wres: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from error


def _unwritable_folder(settings: Settings) -> str | None:
    """A usage error naming the first folder of the run that cannot be made (a file in its way, no
    permission), or None: found before the run starts rather than as an internal error halfway."""
    paths = settings.paths
    folders = (
        ("state", Path(paths.state)),
        ("state", Path(paths.state) / "logs"),
        ("warehouse", Path(paths.warehouse).parent),
        ("out", Path(paths.out)),
    )
    for option, folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            problem = None if os.access(folder, os.W_OK | os.X_OK) else "no permission to write in it"
        except OSError as error:
            problem = error.strerror
        if problem:
            return (
                f"cannot write the {option} folder {folder} ({problem}); set --{option} or [paths] "
                f"{option} in wres.toml to a folder the job can write"
            )
    return None


@contextmanager
def _prefect_api(server_log: Path) -> Iterator[None]:
    """The Prefect API the run reports to: ``PREFECT_API_URL`` when set, else a server on loopback
    for this run only (``wres.prefect_server``: Ctrl-C reaches the run, not the server, and a run
    killed outright takes the server with it)."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    with local_prefect_server(prefect_home(), server_log) as url:
        os.environ["PREFECT_API_URL"] = url  # before Prefect is imported: its settings read it once
        try:
            yield
        finally:
            _send_prefect_logs_and_events()  # while the server still listens
            os.environ.pop("PREFECT_API_URL", None)


def _send_prefect_logs_and_events(timeout_s: float = 15) -> None:
    """Wait for Prefect's background workers to send the run's last logs and events (left for exit,
    they would retry for a minute against a server already stopped)."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout_s)
    EventsWorker.drain_all(timeout=timeout_s)


def _validation_warming_up_while_a_server_starts(settings: Settings) -> threading.Thread | None:
    """Great Expectations' imports (4 to 10 s) in a thread while this run's own Prefect server starts,
    when there is an extract to validate; otherwise the ingest warms it up itself. Only a head start:
    an inbox that cannot be listed is left for the ingest to report, in the run's log."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    try:
        if not holds_an_extract(Path(settings.paths.inbox)):
            return None
    except OSError:
        return None
    from wres.validation import warm_up_in_background

    return warm_up_in_background()


def _run_flow(settings: Settings, config: Path | None) -> int:
    """Run the weekly flow under Prefect and turn its outcome into the exit code."""
    problem = _unwritable_folder(settings)
    if problem:
        typer.echo(f"wres: {problem}", err=True)
        return EXIT_USAGE
    try:  # a key too short to be secret is a settings error, said before Prefect starts
        load_key(settings.pseudonymisation_key_file)
    except ConfigError as error:
        typer.echo(f"wres: {error}", err=True)
        return EXIT_USAGE
    log_file = _setup_logging(settings)
    configure_prefect_environment()
    if first_prefect_run():
        typer.echo(
            "Starting a temporary local server for Prefect. On a new machine its first start sets up "
            "its database, which takes about half a minute; later runs start faster.",
            err=True,
        )
    started = time.perf_counter()
    warming_up = _validation_warming_up_while_a_server_starts(settings)
    try:
        with _prefect_api(log_file.with_name(log_file.stem + "-prefect-server.log")):
            while warming_up is not None and warming_up.is_alive():
                # Prefect's imports begin only after Great Expectations' (two threads importing at
                # once can deadlock); joined in steps so that Ctrl-C is acted on at once
                warming_up.join(0.25)
            from flows.weekly import weekly

            code = weekly(
                inbox=str(settings.paths.inbox),
                warehouse=str(settings.paths.warehouse),
                out=str(settings.paths.out),
                state=str(settings.paths.state),
                config=str(config) if config else None,
            )
    except ConfigError as error:
        typer.echo(f"wres: {error}", err=True)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - every unexpected failure must end with exit code 3
        with open(log_file, "a", encoding="utf-8") as log:  # the traceback for the log, not the console
            log.write(f"{datetime.now().isoformat()} ERROR internal error\n{traceback.format_exc()}\n")
        typer.echo(f"wres: internal error: {type(error).__name__}: {error}", err=True)
        typer.echo(f"wres: the log is at {log_file}", err=True)
        return EXIT_INTERNAL
    typer.echo(f"Run finished in {time.perf_counter() - started:.1f} s (log: {log_file})", err=True)
    return int(code)


@app.command()
def run(
    inbox: InboxOption = None,
    warehouse: WarehouseOption = None,
    out: OutOption = None,
    state: StateOption = None,
    config: ConfigOption = None,
) -> None:
    """One run of the weekly flow: load new extracts, rebuild the warehouse, publish."""
    settings = _load(config, inbox=inbox, warehouse=warehouse, out=out, state=state)
    if not Path(settings.paths.inbox).is_dir():
        what = "is not a folder" if Path(settings.paths.inbox).exists() else "does not exist"
        typer.echo(
            f"wres: the inbox folder {settings.paths.inbox} {what} "
            "(set --inbox or [paths] inbox in wres.toml)",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(_run_flow(settings, config))


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Option("--folder", help="Where to write the demo extracts.")] = None,
    staff: Annotated[
        int, typer.Option(min=1, help="Staff in the synthetic trust (a mid-sized acute trust).")
    ] = 6500,
    seed: Annotated[int, typer.Option(help="Random seed (the same seed gives the same trust).")] = 20250331,
    config: ConfigOption = None,
) -> None:
    """Make a synthetic trust's extracts in their own folder and run the flow on them."""
    from wres.synthetic import generate_inbox

    settings = _load(config)
    demo_inbox = folder or settings.paths.demo_inbox
    if Path(demo_inbox).resolve() == Path(settings.paths.inbox).resolve():
        typer.echo("wres: the demo never writes into the real inbox; choose another --folder", err=True)
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"Writing the synthetic trust's extracts to {demo_inbox} ...", err=True)
    generate_inbox(
        Path(demo_inbox),
        trusts=1,
        staff_per_trust=staff,
        seed=seed,
        progress=lambda message: typer.echo(f"  {message}", err=True),
    )
    # CONTRACT section 4: the default warehouse and output paths, whatever the settings say; and a
    # state of its own, so that the synthetic trust never enters a real trust's state (from which
    # every later warehouse and publication is built)
    defaults = Paths()
    settings = settings.with_paths(
        inbox=Path(demo_inbox),
        warehouse=defaults.warehouse,
        out=defaults.out,
        state=settings.paths.demo_state,
    )
    code = _run_flow(settings, config)
    latest = (Path(settings.paths.out) / "latest").absolute()
    typer.echo(f"Warehouse:   {Path(settings.paths.warehouse).absolute()}")
    typer.echo(f"Report:      {latest / 'wres_report.html'}")
    typer.echo(f"Publication: {latest}")
    raise typer.Exit(code)


@app.command()
def serve(config: ConfigOption = None) -> None:
    """Serve the weekly schedule (Mondays 07:00 Europe/London) on a host without a work pool.

    Schedules need a Prefect server, which Prefect's temporary in-run server is not: without
    PREFECT_API_URL, a Prefect server is started on 127.0.0.1 for as long as the schedule is served.
    """
    _load(config)
    configure_prefect_environment()
    log = prefect_home() / "server.log"
    if not os.environ.get("PREFECT_API_URL"):
        typer.echo(f"Starting a Prefect server on 127.0.0.1 for the schedule (its log: {log}) ...", err=True)
    with _prefect_api(log):
        url = os.environ["PREFECT_API_URL"]
        typer.echo(f"Prefect server: {url}; serving the weekly schedule (Ctrl-C stops it)", err=True)
        _serve_schedule(config)


def _serve_schedule(config: Path | None) -> None:
    from prefect.schedules import Cron

    from flows.weekly import weekly

    parameters = {"config": str(config)} if config else {}
    weekly.serve(
        name="wres-weekly", schedules=[Cron("0 7 * * 1", timezone="Europe/London")], parameters=parameters
    )


if __name__ == "__main__":  # pragma: no cover - ``python -m wres.cli``, as ``python -m wres``
    from wres.command import main

    main()
