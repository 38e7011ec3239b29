"""Delivery (wres/delivery.py) against the real things: an aiosmtpd SMTP server on 127.0.0.1 (plain,
with AUTH, with STARTTLS and a self-signed certificate), a port with nothing listening, and real
folders and symlinks laid out the way wres/publish.py lays out a publication.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import logging
import os
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from wres.config import Mail, Settings
from wres.delivery import (
    HIDDEN,
    DeliveryResult,
    copy_to_delivery_folder,
    send_summary,
    snapshot_folder_name,
    summary_text,
)

PASSWORD = "s3cret-Pa55word"
PASSWORD_ENV = "WRES_TEST_SMTP_PASSWORD"
# the loopback AUTH server below runs without TLS on purpose; aiosmtpd warns about it
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

REPORT = b"<!doctype html><html><body><h1>WRES</h1><p>caf\xc3\xa9</p></body></html>\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KeepEnvelopes:
    """An aiosmtpd handler that keeps every message it is given, and whether it came over TLS."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.over_tls: list[bool] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        self.over_tls.append(session.ssl is not None)
        return "250 Message accepted"


def _start(handler: KeepEnvelopes, **smtp_options) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), **smtp_options)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[KeepEnvelopes, int]]:
    handler = KeepEnvelopes()
    controller = _start(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"wres-bot"
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def auth_server() -> Iterator[tuple[KeepEnvelopes, int]]:
    handler = KeepEnvelopes()
    # loopback only: AUTH without TLS is acceptable here and nowhere else
    controller = _start(handler, authenticator=_authenticator, auth_required=True, auth_require_tls=False)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _settings(port: int, **mail: object) -> Settings:
    defaults = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "wres@trust.example",
        "recipients": ("edi.lead@trust.example", "workforce@trust.example"),
        "retries": 0,
        "password_env": PASSWORD_ENV,
    }
    return Settings(mail=Mail(**{**defaults, **mail}))


def _report(tmp_path: Path) -> Path:
    path = tmp_path / "wres_report.html"
    path.write_bytes(REPORT)
    return path


def _parse(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


# --- sending -----------------------------------------------------------------------------------


def test_summary_reaches_the_server_with_its_attachment(smtp_server, tmp_path: Path) -> None:
    handler, port = smtp_server
    result = send_summary(
        _settings(port),
        subject="WRES monitor: RXX at 2025-03-31",
        body="Hello\n",
        attachment=_report(tmp_path),
    )
    assert result == DeliveryResult(sent=True, attempts=1, error=None, configured=True)
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.mail_from == "wres@trust.example"
    assert envelope.rcpt_tos == ["edi.lead@trust.example", "workforce@trust.example"]
    message = _parse(envelope)
    assert message["Subject"] == "WRES monitor: RXX at 2025-03-31"
    assert message["From"] == "wres@trust.example"
    assert message.get_body(preferencelist=("plain",)).get_content().splitlines() == ["Hello"]
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["wres_report.html"]
    assert attachments[0].get_content_type() == "text/html"
    assert attachments[0].get_payload(decode=True) == REPORT


class RefuseWorkforce(KeepEnvelopes):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address.startswith("workforce@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    handler = RefuseWorkforce()
    controller = _start(handler)
    try:
        caplog.set_level(logging.WARNING, logger="wres")
        result = send_summary(_settings(controller.port), subject="s", body="b", attachment=None)
    finally:
        controller.stop()
    assert (result.sent, result.attempts) == (True, 1)
    assert [e.rcpt_tos for e in handler.envelopes] == [["edi.lead@trust.example"]]
    assert "refused for 1 of 2 recipients: workforce@trust.example" in caplog.text


def test_summary_without_attachment(smtp_server) -> None:
    handler, port = smtp_server
    result = send_summary(_settings(port), subject="s", body="b\n", attachment=None)
    assert result.sent
    assert list(_parse(handler.envelopes[0]).iter_attachments()) == []


def test_login_with_the_password_from_the_environment(
    auth_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = auth_server
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    caplog.set_level(logging.DEBUG, logger="wres")
    result = send_summary(_settings(port, username="wres-bot"), subject="s", body="b\n", attachment=None)
    assert (result.sent, result.attempts) == (True, 1)
    assert len(handler.envelopes) == 1
    assert PASSWORD not in caplog.text


def test_a_wrong_password_is_reported_not_retried_and_not_logged(
    auth_server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = auth_server
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    caplog.set_level(logging.DEBUG, logger="wres")
    result = send_summary(
        _settings(port, username="wres-bot", retries=3),
        subject="s",
        body="b\n",
        attachment=None,
        backoff_seconds=0,
    )
    # 535 is permanent: a second login would fail the same way (and could lock the account)
    assert (result.sent, result.attempts) == (False, 1)
    assert "SMTPAuthenticationError" in (result.error or "")
    assert handler.envelopes == []
    assert "not-the-password" not in caplog.text


def test_a_server_that_requires_login_refuses_an_anonymous_send(auth_server) -> None:
    handler, port = auth_server
    result = send_summary(_settings(port), subject="s", body="b\n", attachment=None)
    assert (result.sent, result.attempts) == (False, 1)  # 530 authentication required: permanent
    assert handler.envelopes == []


def test_username_without_a_password_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    result = send_summary(
        _settings(_free_port(), username="wres-bot"), subject="s", body="b", attachment=None
    )
    assert (result.sent, result.attempts) == (False, 0)
    assert PASSWORD_ENV in (result.error or "")


@pytest.mark.parametrize(("retries", "attempts"), [(0, 1), (2, 3)])
def test_nothing_listening_is_retried_then_reported(
    retries: int, attempts: int, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()  # bound and released: nothing listens there
    caplog.set_level(logging.WARNING, logger="wres")
    result = send_summary(
        _settings(port, retries=retries), subject="s", body="b", attachment=None, backoff_seconds=0
    )
    assert (result.sent, result.attempts, result.configured) == (False, attempts, True)
    assert "ConnectionRefusedError" in (result.error or "")
    failed_attempts = [
        r for r in caplog.records if "attempt" in r.getMessage() and "failed" in r.getMessage()
    ]
    assert len(failed_attempts) == attempts


@pytest.mark.parametrize(
    "mail",
    [
        {"host": ""},
        {"recipients": ()},
    ],
)
def test_not_configured_does_nothing(mail: dict) -> None:
    result = send_summary(_settings(_free_port(), **mail), subject="s", body="b", attachment=None)
    assert result == DeliveryResult(sent=False, attempts=0, error=None, configured=False)


def test_a_missing_attachment_is_reported_not_raised(smtp_server, tmp_path: Path) -> None:
    handler, port = smtp_server
    result = send_summary(_settings(port), subject="s", body="b", attachment=tmp_path / "absent.html")
    assert (result.sent, result.attempts) == (False, 0)
    assert "FileNotFoundError" in (result.error or "")
    assert handler.envelopes == []


# --- STARTTLS with a self-signed certificate ---------------------------------------------------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    pytest.importorskip("cryptography", reason="needs the cryptography package to make a certificate")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wres test smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[KeepEnvelopes, int, Path]]:
    cert_path, key_path = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    handler = KeepEnvelopes()
    controller = _start(handler, tls_context=context, require_starttls=True)
    try:
        yield handler, controller.port, cert_path
    finally:
        controller.stop()


def test_starttls_with_a_trusted_certificate(tls_server, monkeypatch: pytest.MonkeyPatch) -> None:
    handler, port, cert_path = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # trust the test certificate, as a trust's CA
    result = send_summary(_settings(port, starttls=True), subject="s", body="b", attachment=None)
    assert (result.sent, result.attempts) == (True, 1)
    assert handler.over_tls == [True]


def test_starttls_refuses_an_untrusted_certificate(
    tls_server, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    handler, port, _ = tls_server
    (tmp_path / "other").mkdir()
    other_cert, _ = _self_signed(tmp_path / "other")  # a different self-signed certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(other_cert))
    result = send_summary(_settings(port, starttls=True), subject="s", body="b", attachment=None)
    assert (result.sent, result.attempts) == (False, 1)
    assert "CERTIFICATE_VERIFY_FAILED" in (result.error or "")
    assert handler.envelopes == []


def test_without_starttls_the_server_that_requires_it_refuses(tls_server) -> None:
    handler, port, _ = tls_server
    result = send_summary(_settings(port), subject="s", body="b", attachment=None)
    assert result.sent is False
    assert handler.envelopes == []


# --- the summary text --------------------------------------------------------------------------

D = dt.date(2025, 3, 31)
W = "2024-04-01..2025-03-31"
_SCHEMA = {
    "organisation_code": pl.String,
    "snapshot_date": pl.Date,
    "scope": pl.String,
    "indicator": pl.Int32,
    "measure": pl.String,
    "ethnic_group": pl.String,
    "breakdown": pl.String,
    "value": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "interpretation": pl.String,
    "suppressed": pl.Boolean,
    "source_period": pl.String,
}
RL = "relative_likelihood"
_ROWS = [
    ("RXX", D, "trust", 2, RL, "white_vs_bme", "", 1.5, 1.1, 2.05, "adverse to bme; significant", False, W),
    ("RXX", D, "trust", 2, RL, "white_vs_bme", "excluding_international", 1.2, 0.9, 1.6, "no adverse impact",
     False, W),
    ("RXX", D, "maternity_neonatal", 2, RL, "white_vs_bme", "", None, None, None, None, True, W),
    ("RXX", D, "trust", 3, RL, "bme_vs_white", "", None, None, None, None, False, W),
    ("RXX", D, "maternity_neonatal", 3, RL, "bme_vs_white", "", 0.9, None, None, "no adverse impact", False, W),
    ("RXX", D, "trust", 4, RL, "white_vs_bme", "", 0.7, 0.55, 0.89, "adverse to white; significant", False, W),
    ("RXX", D, "trust", 1, "share", "bme", "all|all", 0.253, 0.2, 0.31, None, False, "2025-03-31"),
    ("RXX", D, "trust", 1, "share", "bme", "clinical|all", 0.4, 0.3, 0.5, None, False, "2025-03-31"),
    # another organisation and another snapshot: never in RXX's summary at D
    ("RYY", D, "trust", 4, RL, "white_vs_bme", "", 9.99, None, None, "adverse to bme", False, W),
    ("RXX", dt.date(2024, 3, 31), "trust", 1, "share", "bme", "all|all", 0.2, None, None, None, False, "x"),
]  # fmt: skip


def test_summary_text_by_hand() -> None:
    subject, body = summary_text(pl.DataFrame(_ROWS, schema=_SCHEMA, orient="row"), D, "RXX")
    assert subject == "WRES monitor: RXX at 2025-03-31"
    assert body.splitlines() == [
        "Workforce Race Equality Standard monitor for RXX, snapshot 2025-03-31.",
        "",
        "Relative likelihoods (above 1 is worse for bme staff):",
        "  2 Appointed from shortlisting (white vs bme)",
        "    trust: 1.50 (95% CI 1.10 to 2.05), adverse to bme; significant",
        f"    maternity and neonatal: {HIDDEN}",
        "  3 Entering formal disciplinary (bme vs white)",
        "    trust: no value (no events in the comparison group)",
        "    maternity and neonatal: 0.90, no adverse impact",
        "  4 Non-mandatory training / CPD (white vs bme)",
        "    trust: 0.70 (95% CI 0.55 to 0.89), adverse to white; significant",
        "    maternity and neonatal: no data",
        "",
        "BME share of the workforce: 25.3%",
        "",
        "The full report is attached. Numbers small enough to identify people are hidden.",
    ]


def test_summary_text_hidden_share_and_string_snapshot() -> None:
    rows = [("RXX", D, "trust", 1, "share", "bme", "all|all", None, None, None, None, True, "2025-03-31")]
    _, body = summary_text(pl.DataFrame(rows, schema=_SCHEMA, orient="row"), "2025-03-31", "RXX")
    assert f"BME share of the workforce: {HIDDEN}" in body.splitlines()


def test_summary_text_sent_end_to_end(smtp_server, tmp_path: Path) -> None:
    handler, port = smtp_server
    subject, body = summary_text(pl.DataFrame(_ROWS, schema=_SCHEMA, orient="row"), D, "RXX")
    assert send_summary(_settings(port), subject=subject, body=body, attachment=_report(tmp_path)).sent
    message = _parse(handler.envelopes[0])
    assert message["Subject"] == subject
    assert "BME share of the workforce: 25.3%" in message.get_body(preferencelist=("plain",)).get_content()


# --- the delivery folder -----------------------------------------------------------------------


def _publication(out: Path, version: str, files: dict[str, str], *, dated_link: bool = True) -> Path:
    """A publication laid out like wres/publish.py: .versions/<version>/, <date> and latest links."""
    folder = out / ".versions" / version
    (folder / "charts").mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    for link in ["latest", version[:10]] if dated_link else ["latest"]:
        target = out / link
        if target.is_symlink():
            target.unlink()
        os.symlink(f".versions/{version}", target)
    return out / "latest"


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()
    }


def test_copy_resolves_latest_and_lands_under_the_snapshot_name(tmp_path: Path) -> None:
    files = {"wres_indicators.csv": "a,b\n1,2\n", "charts/fig1.svg": "<svg/>"}
    latest = _publication(tmp_path / "out", "2025-03-31-0123456789abcdef", files)
    share = tmp_path / "share"
    copied = copy_to_delivery_folder(latest, share)
    assert copied == share / "2025-03-31"
    assert _tree(copied) == files
    assert not any(p.is_symlink() for p in copied.rglob("*"))
    assert sorted(p.name for p in share.iterdir()) == ["2025-03-31"]  # no temporary folder left


def test_copy_replaces_an_older_copy_of_the_same_snapshot(tmp_path: Path) -> None:
    out, share = tmp_path / "out", tmp_path / "share"
    copy_to_delivery_folder(
        _publication(out, "2025-03-31-aaaa", {"old.csv": "1\n", "same.csv": "x\n"}), share
    )
    copied = copy_to_delivery_folder(_publication(out, "2025-03-31-bbbb", {"same.csv": "y\n"}), share)
    assert _tree(copied) == {"same.csv": "y\n"}  # old.csv went with the old copy
    assert sorted(p.name for p in share.iterdir()) == ["2025-03-31"]


def test_a_failed_copy_leaves_the_older_copy_whole(tmp_path: Path) -> None:
    out, share = tmp_path / "out", tmp_path / "share"
    copy_to_delivery_folder(_publication(out, "2025-03-31-aaaa", {"a.csv": "1\n"}), share)
    broken = _publication(out, "2025-03-31-bbbb", {"a.csv": "2\n"})
    os.symlink("nowhere.csv", out / ".versions" / "2025-03-31-bbbb" / "dangling.csv")  # cannot be copied
    with pytest.raises(OSError):
        copy_to_delivery_folder(broken, share)
    assert _tree(share / "2025-03-31") == {"a.csv": "1\n"}
    assert sorted(p.name for p in share.iterdir()) == ["2025-03-31"]


def test_leftovers_of_an_interrupted_copy_are_removed(tmp_path: Path) -> None:
    share = tmp_path / "share"
    (share / ".2025-03-31.partial-deadbeef").mkdir(parents=True)
    (share / "2024-03-31").mkdir()  # another snapshot's copy is not touched
    copy_to_delivery_folder(_publication(tmp_path / "out", "2025-03-31-aaaa", {"a.csv": "1\n"}), share)
    assert sorted(p.name for p in share.iterdir()) == ["2024-03-31", "2025-03-31"]


@pytest.mark.parametrize(
    ("version", "dated_link", "expected"),
    [
        ("2025-03-31-0123456789abcdef", True, "2025-03-31"),
        ("2025-03-31-0123456789abcdef", False, "2025-03-31"),  # no sibling link: the date in the name
        ("handmade", False, "handmade"),
    ],
)
def test_snapshot_folder_name_of_latest(
    tmp_path: Path, version: str, dated_link: bool, expected: str
) -> None:
    out = tmp_path / "out"
    _publication(out, version, {"a.csv": ""}, dated_link=dated_link)
    assert snapshot_folder_name(out / "latest") == expected


def test_copy_a_dated_publication_folder_directly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publication(out, "2025-03-31-aaaa", {"a.csv": "1\n"})
    assert copy_to_delivery_folder(out / "2025-03-31", tmp_path / "share").name == "2025-03-31"


def test_copy_of_a_missing_publication_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        copy_to_delivery_folder(tmp_path / "out" / "latest", tmp_path / "share")
