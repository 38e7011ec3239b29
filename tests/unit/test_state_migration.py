"""A state written before pseudonyms were UUIDs (identifiers held as the whole HMAC-SHA256, 64 hex
characters) is turned into the present form when it is opened: every person keeps the pseudonym
that a file ingested now gives them, so that old and new files still meet (wres.state)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date, datetime

import duckdb
import polars as pl

from tests.pseudonyms import KEY, pseudonymised
from wres.kinds import KINDS
from wres.state import StateStore, migrate_pseudonyms

NOW = datetime(2025, 4, 1, 9, 0)


def whole_hmac(identifier: str) -> str:
    """The 64 hex characters an older state stored for ``identifier`` (stdlib HMAC-SHA256)."""
    return hmac.new(KEY, identifier.encode(), hashlib.sha256).hexdigest()


def test_an_older_state_keeps_every_person_under_the_pseudonym_of_new_files(tmp_path):
    with StateStore(tmp_path) as store:
        store.record_sighting(
            sha256="a" * 64,
            name="staff_in_post_2025-03-31.csv",
            kind="staff_in_post",
            file_date=date(2025, 3, 31),
            survey_year=None,
            reference_name=None,
            size=1,
            now=NOW,
        )
        frame = pl.DataFrame({"source_row": [2, 3], "organisation_code": ["RXX", "RXX"]})
        store.store_rows("a" * 64, KINDS["staff_in_post"], frame, NOW, run_id="r1")
    # the older layout: identifier columns VARCHAR holding the whole HMAC
    con = duckdb.connect(str(tmp_path / "state.duckdb"))
    for column in ("employee_id", "assignment_id"):
        con.execute(f"alter table rows_staff_in_post alter {column} type varchar")
    con.execute(
        "update rows_staff_in_post set employee_id = case source_row when 2 then ? else ? end, "
        "assignment_id = case source_row when 2 then ? else null end",
        [whole_hmac("E1"), whole_hmac("E2"), whole_hmac("A1")],
    )
    con.close()

    with StateStore(tmp_path) as store:
        types = dict(
            store.con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'rows_staff_in_post'"
            ).fetchall()
        )
        stored = store.con.execute(
            "select employee_id, assignment_id from rows_staff_in_post order by source_row"
        ).fetchall()
        assert migrate_pseudonyms(store.con) == []  # done once
    assert (types["employee_id"], types["assignment_id"], types["organisation_code"]) == (
        "UUID",
        "UUID",
        "VARCHAR",
    )
    new_files = pseudonymised(pl.DataFrame({"employee_id": ["E1", "E2"], "assignment_id": ["A1", None]}))
    assert [(str(e), a if a is None else str(a)) for e, a in stored] == list(new_files.iter_rows())
    # worked by hand: the first 32 hex digits of the whole HMAC, as a UUID
    assert str(stored[0][0]) == str(uuid.UUID(hex=whole_hmac("E1")[:32]))


def _state_with_a_loaded_file(folder) -> None:
    with StateStore(folder) as store:
        store.record_sighting(
            sha256="b" * 64,
            name="board_2025-03-31.csv",
            kind="board",
            file_date=date(2025, 3, 31),
            survey_year=None,
            reference_name=None,
            size=1,
            now=NOW,
        )
        frame = pl.DataFrame({"source_row": [2], "organisation_code": ["RXX"]})
        store.store_rows("b" * 64, KINDS["board"], frame, NOW, run_id="r1")


def test_a_state_loaded_before_the_leading_zeros_rule_warns_once(tmp_path, caplog):
    _state_with_a_loaded_file(tmp_path)
    # as a state made before the rule: no record of it
    con = duckdb.connect(str(tmp_path / "state.duckdb"))
    con.execute("delete from state_format")
    con.close()
    with caplog.at_level("WARNING", logger="wres"), StateStore(tmp_path):
        pass
    assert [r.getMessage() for r in caplog.records if "leading zeros" in r.getMessage()] == [
        "state: its 1 loaded file(s) were pseudonymised before identifiers made only of digits were "
        "compared without leading zeros; if any of their employee or event ids start with 0, run once "
        "with a new state folder so that every file is read again under the same rule"
    ]
    caplog.clear()
    with caplog.at_level("WARNING", logger="wres"), StateStore(tmp_path):
        pass
    assert not [r for r in caplog.records if "leading zeros" in r.getMessage()]


def test_a_state_made_under_the_rule_never_warns(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="wres"):
        _state_with_a_loaded_file(tmp_path)
        with StateStore(tmp_path):
            pass
    assert not [r for r in caplog.records if "leading zeros" in r.getMessage()]
