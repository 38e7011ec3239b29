"""A file that changes or goes between the inbox's listing and its reading (wres/pipeline.py):
rejected for the run with its reason, never read in part, and read again when it is whole."""

from __future__ import annotations

import os
from datetime import datetime

from wres.config import Settings
from wres.inbox import discover
from wres.pipeline import load_one
from wres.reference import census_reference
from wres.state import StateStore

NOW = datetime(2025, 4, 7, 7, 0)
KEY = b"k" * 40
HEADER = "organisation_code,member_id,ethnic_origin,voting,executive\n"
ROWS = "RXX,M1,A,Y,N\nRXX,M2,N,Y,Y\n"


def _listed(inbox):
    files, _ = discover(inbox)
    [board] = files
    return board


def _load(store, board):
    return load_one(store, board, Settings(), KEY, census_reference(), NOW, "r1")


def test_a_file_removed_after_the_listing_is_rejected_as_unreadable(tmp_path):
    (tmp_path / "inbox").mkdir()
    path = tmp_path / "inbox" / "board_2025-03-31.csv"
    path.write_text(HEADER + ROWS)
    board = _listed(tmp_path / "inbox")
    path.unlink()
    with StateStore(tmp_path / "state") as store:
        outcome, report = _load(store, board)
    assert (outcome.outcome, report.rejected) == ("rejected", True)
    [result] = report.results
    assert result.check == "unreadable_file"
    assert result.message.startswith("board_2025-03-31.csv could not be read (No such file or directory)")


def test_a_file_still_being_written_is_not_read_in_part_and_loads_when_whole(tmp_path):
    (tmp_path / "inbox").mkdir()
    path = tmp_path / "inbox" / "board_2025-03-31.csv"
    path.write_text(HEADER + "RXX,M1,A,Y,N\n")  # the copy has written one row so far
    board = _listed(tmp_path / "inbox")
    with open(path, "a", encoding="utf-8") as copying:
        copying.write("RXX,M2,N,Y,Y\n")
    with StateStore(tmp_path / "state") as store:
        outcome, report = _load(store, board)
        assert outcome.outcome == "rejected"
        assert [r.check for r in report.results] == ["changed_while_read"]
        assert "changed while the run read it" in report.results[0].message
        # the next run lists the whole file, with its new hash, and loads both rows
        whole = _listed(tmp_path / "inbox")
        assert whole.sha256 != board.sha256
        outcome, report = _load(store, whole)
    assert (outcome.outcome, outcome.rows) == ("loaded", 2)


def test_a_file_rewritten_with_the_same_size_is_caught_by_its_time(tmp_path):
    (tmp_path / "inbox").mkdir()
    path = tmp_path / "inbox" / "board_2025-03-31.csv"
    path.write_text(HEADER + ROWS)
    board = _listed(tmp_path / "inbox")
    path.write_text(HEADER + ROWS.replace("M2,N", "M2,H"))  # same length, other bytes
    later = board.modified_ns + 1_000_000_000
    os.utime(path, ns=(later, later))  # a coarse clock could give the same time: be sure
    with StateStore(tmp_path / "state") as store:
        _, report = _load(store, board)
    assert [r.check for r in report.results] == ["changed_while_read"]
