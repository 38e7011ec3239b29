"""Converted copies of extracts are made in the state folder and never outlive a run there
(wres/pipeline.py ``scratch_folder``): a run killed mid-read must not leave a row-level copy in the
system's shared temporary folder."""

from __future__ import annotations

import stat

from wres.config import Settings
from wres.kinds import KINDS
from wres.pipeline import ingest, scratch_folder
from wres.reading import read_raw
from wres.state import StateStore


def test_a_converted_copy_is_made_in_the_scratch_folder_given(tmp_path):
    path = tmp_path / "board_2025-03-31.csv"
    # Windows-1252 (é as one byte): read through a converted UTF-8 copy
    path.write_bytes(
        "organisation_code,member_id,ethnic_origin,voting,executive\nRXX,Mé1,A,Y,N\n".encode("cp1252")
    )
    scratch = tmp_path / "state" / "tmp"
    table = read_raw(path, KINDS["board"], Settings(), scratch=scratch)
    assert table.frame["member_id"].to_list() == ["Mé1"]
    assert table.encoding == "windows-1252"
    assert stat.S_IMODE(scratch.stat().st_mode) == 0o700  # made for it, owner only
    assert list(scratch.iterdir()) == []  # and the copy removed once read


def test_each_run_removes_the_copies_a_killed_run_left(tmp_path, monkeypatch):
    monkeypatch.setenv("WRES_PSEUDONYMISATION_KEY", "k" * 40)
    settings = Settings().with_paths(inbox=tmp_path / "inbox", state=tmp_path / "state")
    (tmp_path / "inbox").mkdir()
    left = scratch_folder(settings) / "wres-read-abc123" / "converted.csv"
    left.parent.mkdir(parents=True)
    left.write_text("organisation_code,employee_id\nRXX,12345678\n")
    with StateStore(settings.paths.state) as store:
        ingest(store, settings, "r1")
    assert not left.exists()
    assert scratch_folder(settings) == tmp_path / "state" / "tmp"
