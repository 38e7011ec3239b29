"""The run, as plain functions the Prefect flow calls: ingest the inbox into the state, build the
warehouse, publish. No Prefect import here (flows/ orchestrates)."""

from __future__ import annotations

import functools
import logging
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from wres.config import Settings
from wres.errors import FileRejected
from wres.faults import checkpoint
from wres.inbox import InboxFile, UnrecognisedFile, discover
from wres.kinds import IDENTIFIER_COLUMNS, KINDS, Kind
from wres.memory import release_freed_memory
from wres.parsing import parse
from wres.pseudonymise import load_key, pseudonymise_column, pseudonymise_frame
from wres.reading import RawTable, read_raw
from wres.reference import CENSUS_REFERENCE_NAME, census_reference
from wres.state import KnownFile, StateStore
from wres.validation import (
    RUN_CHECKS,
    CheckResult,
    ValidationContext,
    ValidationReport,
    severity_of,
    validate,
    warm_up_in_background,
)

log = logging.getLogger("wres")

# staff files first: the cross-file checks of the event files look at the snapshots
_KIND_ORDER = [
    "staff_in_post",
    "board",
    "catchment",
    "reference",
    "recruitment",
    "disciplinary",
    "training",
    "staff_survey",
]


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id() -> str:
    return now_utc().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


@dataclass
class FileOutcome:
    name: str
    kind: str | None
    sha256: str | None
    outcome: str  # loaded | rejected | unchanged | duplicate | unrecognised
    rows: int | None = None
    message: str | None = None


@dataclass
class IngestResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    reports: list[ValidationReport] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.outcome == "rejected"]

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def _processing_order(files: list[InboxFile]) -> list[InboxFile]:
    def key(f: InboxFile) -> tuple:
        stamp = f.path.stat().st_mtime_ns
        return (
            _KIND_ORDER.index(f.kind),
            f.file_date or datetime.min.date(),
            f.survey_year or 0,
            stamp,
            f.name,
        )

    return sorted(files, key=key)


def _validation_context(
    store: StateStore, inbox_file: InboxFile, census: pl.DataFrame, key: bytes
) -> ValidationContext:
    previous: dict[str, int] = {}
    known = None
    if inbox_file.kind == "staff_in_post":
        # the newest earlier file of each organisation found from its distinct (organisation, file)
        # pairs, then its people counted: no copy of every earlier row is made
        rows = store.con.execute(
            """with covering as (
                   select distinct r.organisation_code, r.file_sha256, f.file_date, f.first_seen_order
                   from rows_staff_in_post r join files f on f.sha256 = r.file_sha256
                   where f.status = 'loaded' and f.file_date < ?),
               newest as (
                   select organisation_code, file_sha256 from covering
                   qualify row_number() over (partition by organisation_code
                                              order by file_date desc, first_seen_order desc) = 1)
               select r.organisation_code, count(distinct r.employee_id)
               from rows_staff_in_post r join newest n
                    on r.organisation_code = n.organisation_code and r.file_sha256 = n.file_sha256
               group by 1""",
            [inbox_file.file_date],
        ).fetchall()
        previous = {org: n for org, n in rows}
    if inbox_file.kind in ("disciplinary", "training"):
        known = store.employees_not_in_snapshots  # checked in DuckDB: no set of millions of ids
    return ValidationContext(
        previous_staff_count=previous,
        known_employees=known,
        census=census,
        pseudonymise=functools.partial(pseudonymise_column, key=key),
        stored_identifiers=store.stored_identifiers,
    )


def _rejection_report(
    inbox_file: InboxFile | UnrecognisedFile, kind: str | None, error: FileRejected
) -> ValidationReport:
    result = CheckResult(
        check=error.check,
        column=error.column,
        severity="critical",
        passed=False,
        message=error.message,
        unexpected_count=0,
        expectation="structural",
    )
    return ValidationReport(file_name=inbox_file.name, kind=kind or "", results=[result], rejected=True)


def _left_alone_report(other: UnrecognisedFile, settings: Settings) -> ValidationReport | None:
    """A warning for a file whose name matches no kind, so that the data-quality page says it was
    left alone (``unrecognised_file_name``; None when that check is off)."""
    severity = severity_of("unrecognised_file_name", RUN_CHECKS["unrecognised_file_name"], settings)
    if severity == "off":
        return None
    result = CheckResult(
        check="unrecognised_file_name",
        column="file name",
        severity="warning",
        passed=False,
        message=f"{other.name}: {other.reason}",
        unexpected_count=1,
        expectation="file name",
    )
    return ValidationReport(file_name=other.name, kind="", results=[result], rejected=False)


def scratch_folder(settings: Settings) -> Path:
    """Where a run's converted copies of extracts go while they are read: inside the state folder,
    with the rest of the row-level data, never the system's shared temporary folder; emptied at the
    start of each run, so that a run killed mid-read leaves no copy behind for long."""
    return Path(settings.paths.state) / "tmp"


def _read_unchanged(inbox_file: InboxFile, kind: Kind, settings: Settings) -> RawTable:
    """The file's rows, read only if its bytes are still those that were hashed: a file removed, or
    still being written, since the inbox was listed is rejected for this run, not read in part."""
    try:
        scratch = scratch_folder(settings)
        raw = read_raw(inbox_file.path, kind, settings, survey_year=inbox_file.survey_year, scratch=scratch)
        now = inbox_file.path.stat()
    except OSError as error:
        raise FileRejected(
            "unreadable_file",
            f"{inbox_file.name} could not be read ({error.strerror or error}): it was removed or moved "
            "from the inbox while the run read it, or the job may not read it.",
        ) from None
    if now.st_size != inbox_file.size or (
        inbox_file.modified_ns is not None and now.st_mtime_ns != inbox_file.modified_ns
    ):
        raise FileRejected(
            "changed_while_read",
            f"{inbox_file.name} changed while the run read it (still being copied or written?): nothing "
            "of it was loaded. The next run reads it again.",
        )
    return raw


def load_one(
    store: StateStore,
    inbox_file: InboxFile,
    settings: Settings,
    key: bytes,
    census: pl.DataFrame,
    now: datetime,
    run_id: str,
) -> tuple[FileOutcome, ValidationReport]:
    """Read, parse, pseudonymise, validate and (if it passes) store one file, with its validation
    results in the same transaction."""
    kind = KINDS[inbox_file.kind]
    try:
        raw = _read_unchanged(inbox_file, kind, settings)
        frame = parse(raw, kind, settings)
        outranked_headers = raw.outranked_headers
        del raw  # the file as text: freed before pseudonyms and validation make their copies
        frame = pseudonymise_frame(frame, IDENTIFIER_COLUMNS, key)
        context = _validation_context(store, inbox_file, census, key)
        context.outranked_headers = outranked_headers
        report = validate(frame, kind, inbox_file.name, inbox_file.file_date, settings, context)
        release_freed_memory()  # validation's copies, before DuckDB takes the rows
    except FileRejected as error:
        report = _rejection_report(inbox_file, kind.name, error)
        frame = None
    if report.rejected or frame is None:
        message = report.render_failures()
        store.mark_rejected(
            inbox_file.sha256,
            message,
            now,
            run_id=run_id,
            validation_rows=_validation_rows(report, inbox_file.sha256, now),
        )
        return FileOutcome(inbox_file.name, kind.name, inbox_file.sha256, "rejected", None, message), report
    if kind.name == "reference":
        frame = frame.with_columns(pl.lit(inbox_file.reference_name).alias("reference_name"))
    rows = store.store_rows(
        inbox_file.sha256,
        kind,
        frame.rename({"__row": "source_row"}),
        now,
        run_id=run_id,
        validation_rows=_validation_rows(report, inbox_file.sha256, now),
    )
    return FileOutcome(inbox_file.name, kind.name, inbox_file.sha256, "loaded", rows, None), report


def ingest(store: StateStore, settings: Settings, run_id: str) -> IngestResult:
    """Bring every new or previously rejected inbox file into the state; report everything seen."""
    inbox = Path(settings.paths.inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"the inbox {inbox} does not exist")
    files, unrecognised = discover(inbox)
    if files:
        warm_up_in_background()
    result = IngestResult()
    if scratch_folder(settings).exists():  # copies a killed run left (this run holds the run lock)
        shutil.rmtree(scratch_folder(settings), ignore_errors=True)
    discarded = store.discard_unfinished_rows()
    if discarded:
        log.info("removed %d row(s) of a file whose storing an earlier run did not finish", discarded)
    key = load_key(settings.pseudonymisation_key_file)
    census = census_reference()
    log.info("inbox %s: %d file(s) of known kinds, %d other", inbox, len(files), len(unrecognised))
    for other in unrecognised:
        if other.kind is None:
            result.outcomes.append(FileOutcome(other.name, None, None, "unrecognised", None, other.reason))
            log.warning("left alone: %s (%s)", other.name, other.reason)
            left_alone = _left_alone_report(other, settings)
            if left_alone is not None:
                store.record_validation(run_id, _validation_rows(left_alone, None, now_utc()))
            continue
        # a kind's name with an impossible date: a rejection, reported like any other
        message = f"{other.name}: {other.reason}"
        report = _rejection_report(other, other.kind, FileRejected(other.check, message, "file name"))
        result.outcomes.append(FileOutcome(other.name, other.kind, None, "rejected", None, message))
        result.reports.append(report)
        store.record_validation(run_id, _validation_rows(report, None, now_utc()))
        log.error("REJECTED %s", message)
    # the outcome of each content hash's copy handled so far this run
    outcome_of_bytes: dict[str, str] = {}
    names_here = {f.name for f in files}
    ordered = _processing_order(files)
    for position, inbox_file in enumerate(ordered, start=1):
        now = now_utc()
        known = store.record_sighting(
            sha256=inbox_file.sha256,
            name=inbox_file.name,
            kind=inbox_file.kind,
            file_date=inbox_file.file_date,
            survey_year=inbox_file.survey_year,
            reference_name=inbox_file.reference_name,
            size=inbox_file.size,
            now=now,
        )
        twin = _twin_that_decides(known, inbox_file, outcome_of_bytes, names_here)
        if twin is not None:
            result.outcomes.append(
                FileOutcome(inbox_file.name, inbox_file.kind, inbox_file.sha256, "duplicate", None, twin)
            )
            log.info("[%d/%d] %s: %s", position, len(ordered), inbox_file.name, twin)
            continue
        if known.name != inbox_file.name:
            # renamed, or another copy of bytes that failed under another name: this name decides
            renamed = store.take_name(
                inbox_file.sha256,
                name=inbox_file.name,
                kind=inbox_file.kind,
                file_date=inbox_file.file_date,
                survey_year=inbox_file.survey_year,
                reference_name=inbox_file.reference_name,
            )
            if known.status == "loaded" and renamed.status != "loaded":
                log.info(
                    "[%d/%d] %s: loaded before as %s, whose name said another kind or date: read again",
                    position,
                    len(ordered),
                    inbox_file.name,
                    known.name,
                )
            known = renamed
        if known.status == "loaded":
            outcome_of_bytes[inbox_file.sha256] = "unchanged"
            result.outcomes.append(
                FileOutcome(
                    inbox_file.name, inbox_file.kind, inbox_file.sha256, "unchanged", known.rows, None
                )
            )
            log.info("[%d/%d] %s: already loaded", position, len(ordered), inbox_file.name)
            continue
        log.info(
            "[%d/%d] %s: reading (%s, %.1f MB)",
            position,
            len(ordered),
            inbox_file.name,
            inbox_file.kind,
            inbox_file.size / 1e6,
        )
        outcome, report = load_one(store, inbox_file, settings, key, census, now, run_id)
        outcome_of_bytes[inbox_file.sha256] = outcome.outcome
        release_freed_memory()  # the file's frames, before the next file is read
        checkpoint("ingest:after-file")
        result.outcomes.append(outcome)
        result.reports.append(report)
        if outcome.outcome == "rejected":
            log.error("REJECTED %s\n%s", inbox_file.name, outcome.message)
        else:
            for warning in (r for r in report.results if not r.passed):
                log.warning("%s", warning.message)
            log.info("[%d/%d] %s: loaded %d rows", position, len(ordered), inbox_file.name, outcome.rows)
    missing_catchment = catchment_warning(store, settings)
    if missing_catchment is not None:
        result.reports.append(missing_catchment)
        store.record_validation(run_id, _validation_rows(missing_catchment, None, now_utc()))
        log.warning("%s", missing_catchment.results[0].message)
    for outcome in result.outcomes:
        store.record_run_file(
            run_id,
            name=outcome.name,
            sha256=outcome.sha256,
            kind=outcome.kind,
            outcome=outcome.outcome,
            rows=outcome.rows,
            message=outcome.message,
        )
    return result


def _twin_that_decides(
    known: KnownFile, inbox_file: InboxFile, outcome_of_bytes: dict[str, str], names_here: set[str]
) -> str | None:
    """Why this copy of known bytes is a duplicate (None when it is not): the same bytes loaded or
    stayed loaded this run under another name, or failed under a name that says the same kind and
    date, or are loaded under another name that is still in the inbox. A copy whose name says
    another kind or date than a copy that failed is validated under its own name, so that bytes
    dropped under a wrong name and a right one still load."""
    earlier = outcome_of_bytes.get(inbox_file.sha256)
    if earlier in ("loaded", "unchanged"):
        return f"same bytes as {known.name}, loaded once"
    if earlier == "rejected" and known.identity == inbox_file.identity:
        return f"same bytes as {known.name}, rejected above"
    if known.status == "loaded" and known.name != inbox_file.name and known.name in names_here:
        return f"same bytes as {known.name}, loaded once"
    return None


def catchment_warning(store: StateStore, settings: Settings) -> ValidationReport | None:
    """A warning naming the organisations with staff but no catchment rows: their workforce is
    compared with England and Wales (CONTRACT section 2, Representation). An organisation that a
    ``reference_census2021.csv`` lists is compared with that file's population instead. None when
    every organisation has one, or ``[validation.severity] no_catchment = "off"``."""
    if severity_of("no_catchment", RUN_CHECKS["no_catchment"], settings) == "off":
        return None
    rows = store.con.execute(
        f"""select distinct r.organisation_code from rows_staff_in_post r
           join files f on f.sha256 = r.file_sha256 where f.status = 'loaded'
           except
           select distinct r.organisation_code from rows_catchment r
           join files f on f.sha256 = r.file_sha256 where f.status = 'loaded'
           except
           select distinct r.organisation_code from rows_reference r
           join files f on f.sha256 = r.file_sha256
           where f.status = 'loaded' and f.reference_name = '{CENSUS_REFERENCE_NAME}'
           order by 1"""
    ).fetchall()
    organisations = [org for (org,) in rows]
    if not organisations:
        return None
    message = (
        f"No catchment for {', '.join(organisations)}: the workforce is compared with England and Wales "
        "(census 2021). Add catchment.csv (organisation_code, area_code, weight) to compare with the "
        "local community."
    )
    result = CheckResult(
        check="no_catchment",
        column="organisation_code",
        severity="warning",
        passed=False,
        message=message,
        unexpected_count=len(organisations),
        expectation="cross-file",
    )
    return ValidationReport(file_name="(no catchment)", kind="catchment", results=[result], rejected=False)


def _validation_rows(report: ValidationReport, sha256: str | None, now: datetime) -> list[tuple]:
    return [
        (
            report.file_name,
            sha256,
            report.kind,
            r.check,
            r.column,
            r.severity,
            r.passed,
            r.unexpected_count,
            r.message,
            r.expectation,
            now,
        )
        for r in report.results
    ]


def write_data_docs(result: IngestResult, settings: Settings) -> Path | None:
    """Great Expectations' data docs of this run's validations, beside the warehouse (for analysts,
    never in the publication). A run that validated nothing new leaves the last docs in place."""
    from wres.validation import build_data_docs

    folder = Path(settings.paths.warehouse).parent / "data-docs"
    try:
        index = build_data_docs(result.reports, folder)
    except Exception as error:  # noqa: BLE001 - the docs are a convenience, never a reason to fail
        log.warning("Great Expectations data docs not written: %s: %s", type(error).__name__, error)
        return None
    if index is None and any(report.gx_result is not None for report in result.reports):
        log.warning("Great Expectations data docs not written: no index page in %s", folder)
    return index


def deliver(latest: Path, settings: Settings) -> None:
    """Copy the publication to the delivery folder and send the summary e-mail, when configured.

    A failure is reported and never fails the run: the publication itself is already in place.
    """
    from wres.delivery import copy_to_delivery_folder, send_summary, summary_text
    from wres.publish import REPORT_NAME

    if settings.delivery_folder:
        try:
            copied = copy_to_delivery_folder(latest, Path(settings.delivery_folder))
            log.info("publication copied to %s", copied)
        except Exception as error:  # noqa: BLE001
            log.warning("publication not copied to %s: %s", settings.delivery_folder, error)
    if not (settings.mail.host and settings.mail.recipients):
        return
    indicators_file = latest / "wres_indicators.csv"
    organisations = (
        [latest] if indicators_file.exists() else sorted(p for p in latest.iterdir() if p.is_dir())
    )
    for folder in organisations:
        indicators = pl.read_csv(folder / "wres_indicators.csv", try_parse_dates=True)
        if indicators.is_empty():
            continue
        organisation = indicators["organisation_code"][0]
        snapshot = indicators["snapshot_date"].max()
        subject, body = summary_text(indicators, snapshot, organisation)
        result = send_summary(settings, subject=subject, body=body, attachment=folder / REPORT_NAME)
        if result.sent:
            log.info("summary e-mail sent for %s", organisation)
