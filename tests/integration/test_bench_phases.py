"""The compute-stage profile (bench.phases) on a tiny synthetic inbox: every file loads, every phase
and build step is reported, and a peak is sampled for every file. No timing is asserted."""

from __future__ import annotations

import re

from bench.phases import profile
from wres.synthetic import generate_inbox


def test_the_profile_reports_every_phase_file_and_build_step(tmp_path):
    inbox = tmp_path / "inbox"
    generate_inbox(inbox, trusts=2, staff_per_trust=120)
    files = sorted(p.name for p in inbox.iterdir())
    lines = profile(inbox, tmp_path / "work")
    text = "\n".join(lines)
    assert re.search(rf"^ingest: [\d.]+ s, files {{'loaded': {len(files)}}}, state file", text, re.M)
    for label in ("reading as text", "pseudonymising identifiers", "validating", "storing rows"):
        assert re.search(rf"^  {label}.* [\d.]+ s$", text, re.M), label
    for step in ("staging", "marts", "disclosure control"):
        assert re.search(rf"^  {step}\s+[\d.]+ s$", text, re.M), step
    sampled = {m.group(1) for m in re.finditer(r"^  ingest (\S+)\s+[\d,]+$", text, re.M)}
    # a tiny file can be read between two samples; most are sampled
    assert sampled <= set(files) and len(sampled) >= len(files) // 2
    assert (tmp_path / "work" / "warehouse" / "wres.duckdb.building").exists()
