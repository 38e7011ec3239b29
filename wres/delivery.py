"""Delivery of a publication: a copy in a delivery folder (a shared drive, say) and a summary e-mail.

Delivery comes after the publication is complete and never fails it: a copy that cannot be made
raises for the caller to log, a send that cannot be made is reported in a :class:`DeliveryResult`
and logged as a warning, never raised.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import polars as pl

from wres.config import Settings, smtp_password

log = logging.getLogger("wres")

_SNAPSHOT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PARTIAL = ".partial-"
_RETIRED = ".retired-"
MAX_BACKOFF_SECONDS = 60.0


# --- the delivery folder -----------------------------------------------------------------------


def snapshot_folder_name(publication: Path) -> str:
    """The name a publication folder is delivered under: its snapshot date's folder name.

    ``out/2025-03-31`` gives ``2025-03-31``. ``out/latest`` gives the name of the snapshot link
    beside it that points at the same version (``2025-03-31``), else the date that starts the
    version folder's name (``.versions/2025-03-31-<digest>``), else the version folder's name.
    """
    publication = Path(publication)
    if publication.name != "latest":
        return publication.name
    target = publication.resolve()
    siblings = sorted(p for p in publication.parent.iterdir() if p.is_symlink() and p.name != "latest")
    for sibling in siblings:
        if sibling.resolve() == target:
            return sibling.name
    dated = _SNAPSHOT_NAME.match(target.name)
    return dated.group(0) if dated else target.name


def copy_to_delivery_folder(publication: Path, folder: Path) -> Path:
    """Copy the publication folder to ``<folder>/<snapshot folder name>/`` and return that path.

    The copy is written under a hidden temporary name in ``folder`` and renamed into place only when
    complete, so a reader never sees half a copy; an older copy of the same name is renamed aside
    and then removed (for that instant the folder is absent, never partial). ``latest`` and other
    symlinks are resolved: the delivery holds real files, as a shared drive may not keep links.
    Leftovers of an interrupted earlier copy are removed first.

    Raises ``FileNotFoundError`` when ``publication`` is not a folder; other ``OSError`` as raised.
    """
    source = Path(publication).resolve()
    if not source.is_dir():
        raise FileNotFoundError(f"publication folder {publication} does not exist")
    name = snapshot_folder_name(Path(publication))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f".{name}{_PARTIAL}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in folder.glob(f".{name}{_RETIRED}*"):
        shutil.rmtree(leftover, ignore_errors=True)

    token = uuid.uuid4().hex[:8]
    partial = folder / f".{name}{_PARTIAL}{token}"
    final = folder / name
    try:
        shutil.copytree(source, partial, symlinks=False)
        if final.exists() or final.is_symlink():
            retired = folder / f".{name}{_RETIRED}{token}"
            os.replace(final, retired)
            os.replace(partial, final)
            if retired.is_dir() and not retired.is_symlink():
                shutil.rmtree(retired, ignore_errors=True)
            else:
                retired.unlink(missing_ok=True)
        else:
            os.replace(partial, final)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    log.info("publication copied to %s", final)
    return final


# --- the summary e-mail ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    """What became of a summary e-mail: ``configured`` False when no host or no recipients are set
    (nothing was tried), ``attempts`` the number of connections tried, ``error`` the last failure."""

    sent: bool
    attempts: int
    error: str | None = None
    configured: bool = True


def _is_permanent(error: Exception) -> bool:
    """A failure that a retry would only repeat: a 5xx reply (authentication refused, sender or
    every recipient refused). Connection failures, time-outs and 4xx replies are retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(error, smtplib.SMTPResponseException) and isinstance(code, int) and 500 <= code < 600


def _describe(error: Exception, password: str | None) -> str:
    text = f"{type(error).__name__}: {error}"
    return text.replace(password, "***") if password else text


def build_message(
    settings: Settings, *, subject: str, body: str, attachment: Path | None = None
) -> EmailMessage:
    """The summary e-mail: plain-text ``body``, and the HTML report attached under its file name."""
    mail = settings.mail
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail.sender or mail.username
    message["To"] = ", ".join(mail.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_domain(mail.sender or mail.username))
    message.set_content(body)
    if attachment is not None:
        attachment = Path(attachment)
        message.add_attachment(
            attachment.read_bytes(),
            maintype="text",
            subtype="html",
            filename=attachment.name,
            params={"charset": "utf-8"},
        )
    return message


def _domain(address: str) -> str | None:
    return address.rsplit("@", 1)[1] if "@" in address else None


def send_summary(
    settings: Settings,
    *,
    subject: str,
    body: str,
    attachment: Path | None,
    backoff_seconds: float = 2.0,
    timeout_seconds: float = 30.0,
) -> DeliveryResult:
    """Send the summary e-mail over SMTP per ``settings.mail``; never raises.

    Connects to ``host:port``, upgrades with STARTTLS when ``starttls`` is set (the server's
    certificate is verified against the system's trust store, or the bundle in ``SSL_CERT_FILE``),
    logs in when ``username`` is set with the password from the environment variable that
    ``password_env`` names, and sends to every recipient. A failed connection, time-out or 4xx
    reply is retried ``retries`` times (so ``retries + 1`` attempts) after ``backoff_seconds``,
    doubling each time; a 5xx reply (say, a refused login) is not retried. Without a host or
    without recipients nothing is tried and the result says so. The password is never logged.
    """
    mail = settings.mail
    if not mail.host or not mail.recipients:
        log.info("summary e-mail not configured ([mail] host and recipients): not sent")
        return DeliveryResult(sent=False, attempts=0, error=None, configured=False)
    password = smtp_password(settings)
    if mail.username and not password:
        error = f"no SMTP password: set the environment variable {mail.password_env}"
        log.warning("summary e-mail not sent: %s", error)
        return DeliveryResult(sent=False, attempts=0, error=error)
    if not (mail.sender or mail.username):
        error = "no sender: set [mail] sender"
        log.warning("summary e-mail not sent: %s", error)
        return DeliveryResult(sent=False, attempts=0, error=error)
    try:
        message = build_message(settings, subject=subject, body=body, attachment=attachment)
    except Exception as exc:  # an unreadable attachment must not fail the publication
        error = _describe(exc, password)
        log.warning("summary e-mail not sent: %s", error)
        return DeliveryResult(sent=False, attempts=0, error=error)

    attempts_allowed = max(int(mail.retries), 0) + 1
    error = None
    for attempt in range(1, attempts_allowed + 1):
        refused: dict = {}
        delivered = False
        try:
            with smtplib.SMTP(mail.host, mail.port, timeout=timeout_seconds) as smtp:
                if mail.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if mail.username:
                    smtp.login(mail.username, password or "")
                refused = smtp.send_message(message)
                delivered = True
        except Exception as exc:  # never raise: a failed send never fails the publication
            error = _describe(exc, password)
            if not delivered:
                log.warning(
                    "summary e-mail attempt %d of %d via %s:%s failed: %s",
                    attempt,
                    attempts_allowed,
                    mail.host,
                    mail.port,
                    error,
                )
                if _is_permanent(exc) or attempt == attempts_allowed:
                    break
                time.sleep(min(backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))
                continue
            # the server took the message and failed only on QUIT: sending again would duplicate it
        if refused:
            log.warning(
                "summary e-mail refused for %d of %d recipients: %s",
                len(refused),
                len(mail.recipients),
                ", ".join(sorted(refused)),
            )
        log.info(
            "summary e-mail sent to %d recipient(s) via %s:%s",
            len(mail.recipients) - len(refused),
            mail.host,
            mail.port,
        )
        return DeliveryResult(sent=True, attempts=attempt)
    log.warning("summary e-mail not sent after %d attempt(s): %s", attempt, error)
    return DeliveryResult(sent=False, attempts=attempt, error=error)


# --- the summary text --------------------------------------------------------------------------

HIDDEN = "hidden (small numbers)"

_RL_INDICATORS = {
    2: "Appointed from shortlisting (white vs bme)",
    3: "Entering formal disciplinary (bme vs white)",
    4: "Non-mandatory training / CPD (white vs bme)",
}
_SCOPES = {"trust": "trust", "maternity_neonatal": "maternity and neonatal"}


def _as_date(snapshot: dt.date | str) -> dt.date:
    return snapshot if isinstance(snapshot, dt.date) else dt.date.fromisoformat(str(snapshot))


def _row(rows: pl.DataFrame, **match: object) -> dict | None:
    selected = rows.filter(*(pl.col(k) == v for k, v in match.items()))
    return selected.row(0, named=True) if selected.height else None


def _rl_text(row: dict | None) -> str:
    if row is None:
        return "no data"
    if row["value"] is None:
        return HIDDEN if row["suppressed"] else "no value (no events in the comparison group)"
    text = f"{row['value']:.2f}"
    if row["ci_low"] is not None and row["ci_high"] is not None:
        text += f" (95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"
    if row["interpretation"]:
        text += f", {row['interpretation']}"
    return text


def _share_text(row: dict | None) -> str:
    if row is None:
        return "no data"
    if row["value"] is None:
        return HIDDEN if row["suppressed"] else "no value"
    return f"{row['value']:.1%}"


def summary_text(indicators: pl.DataFrame, snapshot: dt.date | str, organisation: str) -> tuple[str, str]:
    """Subject and plain-text body of the summary e-mail, from disclosure-controlled indicators.

    The body gives, for ``organisation`` at ``snapshot``, the relative likelihoods of indicators
    2-4 for the trust and for maternity and neonatal services with their interpretation, and the
    bme share of the whole workforce. A hidden value reads ``hidden (small numbers)``, e.g.::

        3 Entering formal disciplinary (bme vs white)
          trust: 1.74 (95% CI 1.02 to 2.96), adverse to bme; significant
          maternity and neonatal: hidden (small numbers)
    """
    snapshot = _as_date(snapshot)
    rows = indicators.filter(
        (pl.col("organisation_code") == organisation) & (pl.col("snapshot_date") == snapshot)
    )
    subject = f"WRES monitor: {organisation} at {snapshot.isoformat()}"
    lines = [
        f"Workforce Race Equality Standard monitor for {organisation}, snapshot {snapshot.isoformat()}.",
        "",
        "Relative likelihoods (above 1 is worse for bme staff):",
    ]
    for indicator, label in _RL_INDICATORS.items():
        lines.append(f"  {indicator} {label}")
        for scope, scope_label in _SCOPES.items():
            row = _row(rows, indicator=indicator, measure="relative_likelihood", scope=scope, breakdown="")
            lines.append(f"    {scope_label}: {_rl_text(row)}")
    share = _row(rows, indicator=1, measure="share", scope="trust", ethnic_group="bme", breakdown="all|all")
    lines += [
        "",
        f"BME share of the workforce: {_share_text(share)}",
        "",
        "The full report is attached. Numbers small enough to identify people are hidden.",
    ]
    return subject, "\n".join(lines) + "\n"
