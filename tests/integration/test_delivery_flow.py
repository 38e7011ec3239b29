"""Delivery through the real weekly flow: `wres run` with `[mail]` and `delivery_folder` set in
wres.toml sends the summary with the report attached to a real SMTP server on 127.0.0.1 and copies
the publication to the delivery folder; a mail server that is down never fails the run."""

from __future__ import annotations

import email
import email.policy

import pytest

from tests.conftest import run_wres
from tests.integration.test_mail import KeepEnvelopes, _free_port, _start
from tests.integration.test_weekly_flow import make_inbox

pytestmark = pytest.mark.integration


def settings_file(folder, port: int, delivery) -> str:
    text = (
        f'delivery_folder = "{delivery}"\n\n[mail]\nhost = "127.0.0.1"\nport = {port}\n'
        'sender = "wres@trust.example"\nrecipients = ["edi.lead@trust.example"]\nretries = 1\n'
    )
    (folder / "wres.toml").write_text(text, encoding="utf-8")
    return "wres.toml"


def test_the_run_mails_the_summary_and_fills_the_delivery_folder(tmp_path, prefect_server):
    make_inbox(tmp_path / "inbox")
    handler = KeepEnvelopes()
    controller = _start(handler)
    try:
        config = settings_file(tmp_path, controller.port, tmp_path / "shared-drive")
        result = run_wres(
            ["run", "--inbox", "inbox", "--config", config], cwd=tmp_path, prefect_api=prefect_server
        )
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["edi.lead@trust.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert "RXX" in message["Subject"] and "2025-03-31" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "wres_report.html"
    published = (tmp_path / "data/outputs/latest/wres_report.html").read_bytes()
    assert attachment.get_content().encode() == published or attachment.get_payload(decode=True) == published
    copied = tmp_path / "shared-drive" / "2025-03-31"
    assert (copied / "wres_report.html").read_bytes() == published
    assert (copied / "wres_indicators.csv").read_bytes() == (
        tmp_path / "data/outputs/latest/wres_indicators.csv"
    ).read_bytes()


def test_a_mail_server_that_is_down_never_fails_the_run(tmp_path, prefect_server):
    make_inbox(tmp_path / "inbox")
    config = settings_file(tmp_path, _free_port(), tmp_path / "shared-drive")
    result = run_wres(
        ["run", "--inbox", "inbox", "--config", config], cwd=tmp_path, prefect_api=prefect_server
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "summary e-mail not sent after 2 attempt(s)" in output
    assert (tmp_path / "shared-drive" / "2025-03-31" / "wres_report.html").exists()
