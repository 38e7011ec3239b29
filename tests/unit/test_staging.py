"""staging.staff_in_post and staging.board built from a small state (wres.staging): the file in
force wins, and every field definition is applied to each row, blanks and unrecognised labels
included. Expected values worked out by hand from docs/architecture.md and the definitions'
modules (bands, staff_groups, ethnicity, maternity)."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
import pytest

from tests.pseudonyms import pseudonymised, readable, stored_id
from wres.config import Settings
from wres.kinds import IDENTIFIER_COLUMNS, KINDS
from wres.staging import create_staging_table
from wres.state import StateStore

NOW = datetime(2025, 4, 1, 9, 0)
SNAPSHOT = date(2025, 3, 31)
STAFF_COLUMNS = (
    "staff_group",
    "staff_group_recognised",
    "workforce",
    "band",
    "band_rank",
    "band_recognised",
    "ethnic_group",
    "census_group",
    "unknown_reason",
    "is_bank",
    "in_maternity_scope",
    "role_group",
)


def sight(store: StateStore, sha: str, kind: str, file_date: date = SNAPSHOT) -> None:
    """The state's first sighting of a file of ``kind`` dated ``file_date``."""
    store.record_sighting(
        sha256=sha,
        name=f"{kind}_{file_date}.csv",
        kind=kind,
        file_date=file_date,
        survey_year=None,
        reference_name=None,
        size=1,
        now=NOW,
    )


def load(store: StateStore, sha: str, kind: str, rows: list[dict]) -> None:
    sight(store, sha, kind)
    frame = pl.DataFrame(rows).with_row_index("source_row", offset=2).cast({"source_row": pl.Int64})
    store.store_rows(sha, KINDS[kind], pseudonymised(frame), NOW, run_id="r1")


def staged(state_folder, table: str) -> list[dict]:
    con = duckdb.connect(str(state_folder / "state.duckdb"))
    try:
        con.execute("attach ':memory:' as built")
        con.execute("create schema built.staging")
        create_staging_table(con, table, Settings(), f"built.staging.{table}")
        rows = con.sql(f"select * from built.staging.{table}").pl().to_dicts()
    finally:
        con.close()
    # identifiers read back as the test's ids
    return [{k: readable(v) if k in IDENTIFIER_COLUMNS else v for k, v in row.items()} for row in rows]


def staff(employee: str, assignment: str, order: int, **labels: str | None) -> dict:
    row = {
        "organisation_code": "RXX",
        "employee_id": employee,
        "assignment_id": assignment,
        "assignment_order": order,
        "staff_group": None,
        "job_role": None,
        "area_of_work": None,
        "pay_band": None,
        "ethnic_origin": None,
        "assignment_category": None,
    }
    return row | labels


@pytest.fixture
def staff_state(tmp_path):
    with StateStore(tmp_path) as store:
        # two files for one date: the one sighted later is in force
        load(store, "a" * 64, "staff_in_post", [staff("E0", "A0", 1, ethnic_origin="A")])
        load(
            store,
            "b" * 64,
            "staff_in_post",
            [
                staff(
                    "E2",
                    "A9",
                    1,
                    staff_group="Martians",
                    pay_band="Band 8",
                    ethnic_origin="Z",
                    area_of_work="Ward 7",
                    job_role="Labourer",
                    assignment_category="Permanent",
                ),
                staff("E3", "A3", 1),  # every label blank
                staff(
                    "E1",
                    "A1",
                    1,
                    staff_group="Nursing and Midwifery Registered",
                    pay_band="AfC Band 08a",
                    ethnic_origin="A",
                    area_of_work="Maternity Ward",
                    job_role="Midwife",
                    assignment_category="Fixed Term Temp BANK",
                ),
            ],
        )
    return tmp_path


def test_only_the_file_in_force(staff_state):
    rows = staged(staff_state, "staff_in_post")
    assert sorted((r["employee_id"], r["snapshot_date"], r["file_sha256"]) for r in rows) == [
        ("E1", SNAPSHOT, "b" * 64),
        ("E2", SNAPSHOT, "b" * 64),
        ("E3", SNAPSHOT, "b" * 64),
    ]


def test_rows_of_a_file_not_marked_loaded_are_read_by_nothing_and_discarded(tmp_path):
    """A run killed while storing a file leaves some of its rows behind (CONTRACT: never half-loaded):
    they stay out of staging, and the next ingest removes them."""
    with StateStore(tmp_path) as store:
        load(store, "a" * 64, "staff_in_post", [staff("E0", "A0", 1, ethnic_origin="A")])
        sight(store, "c" * 64, "staff_in_post")  # a later file whose storing stopped after two rows
        store.con.execute(
            "insert into rows_staff_in_post (file_sha256, source_row, organisation_code, employee_id) "
            "values (?, 2, 'RXX', ?), (?, 3, 'RXX', ?)",
            ["c" * 64, stored_id("E8"), "c" * 64, stored_id("E9")],
        )
    assert [(r["employee_id"], r["file_sha256"]) for r in staged(tmp_path, "staff_in_post")] == [
        ("E0", "a" * 64)
    ]
    with StateStore(tmp_path) as store:
        assert store.discard_unfinished_rows() == 2
        remaining = store.con.execute("select employee_id from rows_staff_in_post").fetchall()
        assert [readable(employee) for (employee,) in remaining] == ["E0"]
        assert store.discard_unfinished_rows() == 0


def test_a_file_stored_in_several_slices_keeps_every_row_once(tmp_path, monkeypatch):
    """store_rows inserts a big file slice by slice (whole DuckDB row groups): 7 rows in slices of 3
    are 3 slices, and all 7 rows arrive once, with their row numbers, under a loaded file."""
    monkeypatch.setattr("wres.state._INSERT_SLICE_ROWS", 3)
    with StateStore(tmp_path) as store:
        load(store, "a" * 64, "staff_in_post", [staff(f"E{i}", f"A{i}", 1) for i in range(7)])
        stored = store.con.execute(
            "select employee_id, source_row from rows_staff_in_post order by source_row"
        ).fetchall()
        (status,) = store.con.execute("select status from files").fetchone()
    assert [(readable(employee), row) for employee, row in stored] == [(f"E{i}", i + 2) for i in range(7)]
    assert status == "loaded"


def test_every_field_definition_applied_per_row(staff_state):
    rows = {
        r["employee_id"]: tuple(r[c] for c in STAFF_COLUMNS) for r in staged(staff_state, "staff_in_post")
    }
    assert rows == {
        # Band 8a is rank 18 (wres.bands); a midwife in a maternity ward is in scope
        "E1": (
            "Nursing and Midwifery Registered",
            True,
            "clinical",
            "Band 8a",
            18,
            True,
            "white",
            "white",
            None,
            True,
            True,
            "midwives",
        ),
        # unrecognised labels: kept as given / Other; Z is "not stated"; "labour ward" is not "Labourer"
        "E2": ("Martians", False, None, "Other", 0, False, "unknown", None, "not_stated", False, False, None),
        # blanks: no staff group, Other, ethnicity not known, not bank, out of scope
        "E3": (None, False, None, "Other", 0, False, "unknown", None, "not_known", False, False, None),
    }


def test_column_types_are_the_documented_ones(staff_state):
    con = duckdb.connect(str(staff_state / "state.duckdb"))
    con.execute("attach ':memory:' as built")
    con.execute("create schema built.staging")
    create_staging_table(con, "staff_in_post", Settings(), "built.staging.staff_in_post")
    types = dict(
        con.execute("select column_name, column_type from (describe built.staging.staff_in_post)").fetchall()
    )
    con.close()
    assert (types["snapshot_date"], types["assignment_order"], types["band_rank"], types["fte"]) == (
        "DATE",
        "INTEGER",
        "INTEGER",
        "DOUBLE",
    )
    assert (types["is_bank"], types["in_maternity_scope"], types["staff_group_recognised"]) == (
        "BOOLEAN",
        "BOOLEAN",
        "BOOLEAN",
    )


def test_board_members_with_ethnicity(tmp_path):
    with StateStore(tmp_path) as store:
        members = [
            {
                "organisation_code": "RXX",
                "member_id": "M2",
                "ethnic_origin": "H",
                "voting": True,
                "executive": False,
            },
            {
                "organisation_code": "RXX",
                "member_id": "M1",
                "ethnic_origin": None,
                "voting": None,
                "executive": True,
            },
        ]
        load(store, "c" * 64, "board", members)
    rows = staged(tmp_path, "board")
    assert [
        (
            r["member_id"],
            r["board_date"],
            r["ethnic_group"],
            r["census_group"],
            r["unknown_reason"],
            r["voting"],
        )
        for r in rows
    ] == [("M1", SNAPSHOT, "unknown", None, "not_known", None), ("M2", SNAPSHOT, "bme", "asian", None, True)]


def test_events_one_row_per_id_from_the_newest_file(tmp_path):
    def training_file(store, sha, file_date, rows):
        sight(store, sha, "training", file_date)
        frame = pl.DataFrame(
            [
                {
                    "organisation_code": "RXX",
                    "record_id": r,
                    "employee_id": "E1",
                    "start_date": d,
                    "mandatory": False,
                }
                for r, d in rows
            ]
        ).with_row_index("source_row", offset=2)
        store.store_rows(
            sha, KINDS["training"], pseudonymised(frame.cast({"source_row": pl.Int64})), NOW, run_id="r1"
        )

    with StateStore(tmp_path) as store:
        # sighted in this order: the March file, then an older-dated file, then a second March file
        training_file(
            store, "1" * 64, date(2025, 3, 31), [("R1", date(2025, 1, 10)), ("R2", date(2025, 2, 1))]
        )
        training_file(
            store, "0" * 64, date(2024, 9, 30), [("R1", date(2024, 6, 1)), ("R3", date(2024, 5, 1))]
        )
        training_file(store, "2" * 64, date(2025, 3, 31), [("R2", date(2025, 2, 2))])
    rows = staged(tmp_path, "training")
    # R1: the later file date wins over the later sighting; R2: same date, the later sighting wins;
    # R3: only in the older file, kept
    assert sorted((r["record_id"], r["start_date"], r["file_sha256"][0]) for r in rows) == [
        ("R1", date(2025, 1, 10), "1"),
        ("R2", date(2025, 2, 2), "2"),
        ("R3", date(2024, 5, 1), "0"),
    ]


def test_an_event_id_is_one_event_whatever_the_organisation(tmp_path):
    # CONTRACT: events are deduplicated across files by their id. A newer file that puts case K1
    # under another organisation (a corrected extract) moves it: it is counted once, there
    with StateStore(tmp_path) as store:
        for sha, file_date, organisation, employee in (
            ("1" * 64, date(2025, 1, 31), "RXX", "E8"),
            ("2" * 64, date(2025, 2, 28), "RYY", "E0"),
        ):
            sight(store, sha, "disciplinary", file_date)
            frame = pl.DataFrame(
                {
                    "source_row": [2, 3],
                    "organisation_code": [organisation, organisation],
                    "case_id": ["K1", f"K-{organisation}"],
                    "employee_id": [employee, employee],
                    "investigation_start_date": [date(2024, 6, 1), date(2024, 6, 1)],
                }
            )
            store.store_rows(sha, KINDS["disciplinary"], pseudonymised(frame), NOW, run_id="r1")
    rows = staged(tmp_path, "disciplinary")
    assert sorted((r["case_id"], r["organisation_code"], r["employee_id"]) for r in rows) == [
        ("K-RXX", "RXX", "E8"),
        ("K-RYY", "RYY", "E0"),
        ("K1", "RYY", "E0"),
    ]
