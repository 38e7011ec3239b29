"""The cross-file checks answered by the state in DuckDB: "employee in no loaded snapshot"
(wres.state.StateStore.employees_not_in_snapshots, used by validation) and the people in each
organisation's previous snapshot that a new staff file is compared with."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import polars as pl

from tests.pseudonyms import KEY, pseudonymised, stored_id
from wres.config import Settings
from wres.inbox import InboxFile
from wres.kinds import KINDS
from wres.parsing import parse
from wres.pipeline import _validation_context
from wres.pseudonymise import pseudonymise_column
from wres.state import StateStore
from wres.validation import ValidationContext, validate

NOW = datetime(2025, 4, 1, 9, 0)


def store_snapshot(
    store: StateStore,
    sha: str,
    employees: list[tuple[str, str]],
    loaded: bool = True,
    file_date: date = date(2025, 3, 31),
) -> None:
    store.record_sighting(
        sha256=sha,
        name=f"staff_in_post_{sha}.csv",
        kind="staff_in_post",
        file_date=file_date,
        survey_year=None,
        reference_name=None,
        size=1,
        now=NOW,
    )
    frame = pl.DataFrame(
        {
            "source_row": list(range(2, 2 + len(employees))),
            "organisation_code": [org for org, _ in employees],
            "employee_id": [emp for _, emp in employees],
        }
    )
    store.store_rows(sha, KINDS["staff_in_post"], pseudonymised(frame), NOW, run_id="r1")
    if not loaded:
        store.mark_rejected(sha, "rejected on a later check", NOW, run_id="r1")


def test_marks_employees_in_no_loaded_snapshot_of_their_organisation(tmp_path):
    with StateStore(tmp_path) as store:
        store_snapshot(store, "a" * 64, [("RXX", "E1"), ("RXX", "E2"), ("RYY", "E3")])
        # rows of a file whose status is rejected never count
        store_snapshot(store, "b" * 64, [("RXX", "E9")], loaded=False)
        pairs = pl.DataFrame(
            {
                "organisation_code": ["RXX", "RXX", "RYY", "RYY", "RXX", "RXX", None],
                "employee_id": ["E2", "E3", "E3", "E1", None, "E9", "E1"],
            }
        )
        assert store.known_file("a" * 64) is not None  # leaves a result unfetched on the connection
        flags = store.employees_not_in_snapshots(pseudonymised(pairs))
    # E2 at RXX known; E3 only at RYY; E1 only at RXX; blank employee is another check's business;
    # E9 only in a rejected file; no organisation matches nothing
    assert flags.to_list() == [False, True, False, True, False, True, True]


def test_validation_with_the_state_gives_the_same_message_as_with_sets(tmp_path):
    settings = Settings()
    raw = pl.DataFrame(
        {
            "__row": ["2", "3", "4"],
            "organisation_code": ["RXX", "RXX", "RXX"],
            "record_id": ["T1", "T2", "T3"],
            "employee_id": ["EMP-KNOWN", "EMP-GONE", "EMP-GONE"],
            "start_date": ["2025-01-01"] * 3,
            "mandatory": ["Y"] * 3,
            "course_name": ["Safeguarding"] * 3,
        }
    )

    class Raw:
        frame = raw

    frame = pseudonymised(parse(Raw(), KINDS["training"], settings))
    name = "training_2025-03-31.csv"
    with StateStore(tmp_path) as store:
        store_snapshot(store, "a" * 64, [("RXX", "EMP-KNOWN"), ("RYY", "EMP-GONE")])
        by_state = validate(
            frame,
            KINDS["training"],
            name,
            date(2025, 3, 31),
            settings,
            ValidationContext(known_employees=store.employees_not_in_snapshots),
        )
    by_sets = validate(
        frame,
        KINDS["training"],
        name,
        date(2025, 3, 31),
        settings,
        ValidationContext(known_employees={"RXX": {stored_id("EMP-KNOWN")}, "RYY": {stored_id("EMP-GONE")}}),
    )
    failed = [r for r in by_state.results if not r.passed]
    assert [r.check for r in failed] == ["employee_not_in_snapshot"]
    assert failed[0].unexpected_count == 2
    assert "1 employee found in no loaded staff-in-post snapshot" in failed[0].message
    assert "2 rows: rows 3, 4" in failed[0].message
    assert [(r.check, r.passed, r.message) for r in by_state.results] == [
        (r.check, r.passed, r.message) for r in by_sets.results
    ]


def test_previous_snapshot_people_per_organisation(tmp_path):
    """Each organisation's newest snapshot dated before the new file's (the later sighting between
    two of one date), counted in people, not assignments."""
    new_file = InboxFile(
        tmp_path / "x.csv", "x.csv", "staff_in_post", date(2025, 3, 31), None, None, "n" * 64, 1
    )
    with StateStore(tmp_path) as store:
        store_snapshot(  # RXX and RYY in September; RXX's two assignments of E1 are one person
            store,
            "a" * 64,
            [("RXX", "E1"), ("RXX", "E1"), ("RXX", "E2"), ("RYY", "E3")],
            file_date=date(2024, 9, 30),
        )
        store_snapshot(store, "b" * 64, [("RXX", "E4")], file_date=date(2024, 12, 31))  # RXX, newer
        store_snapshot(
            store, "c" * 64, [("RXX", "E5"), ("RXX", "E6")], file_date=date(2024, 12, 31)
        )  # seen later
        store_snapshot(
            store, "d" * 64, [("RYY", "E7")], file_date=date(2025, 3, 31)
        )  # not before the new file
        store_snapshot(store, "e" * 64, [("RYY", "E8")], loaded=False, file_date=date(2024, 12, 31))
        context = _validation_context(store, new_file, census=pl.DataFrame(), key=b"k" * 40)
    assert context.previous_staff_count == {"RXX": 2, "RYY": 1}


def test_a_bad_value_that_is_an_identifier_stored_from_another_file_is_never_shown(tmp_path):
    """A disciplinary export with employee numbers in its ethnicity column: numbers of staff held in
    the state (from the staff files) are hidden in the message like the file's own identifiers."""
    raw = pl.DataFrame(
        {
            "__row": ["2", "3", "4", "5"],
            "organisation_code": ["RXX"] * 4,
            "case_id": ["C1", "C2", "C3", "C4"],
            "employee_id": ["EMP-A", "EMP-B", "EMP-C", "EMP-D"],
            "investigation_start_date": ["2025-01-01"] * 4,
            "ethnic_origin": ["10000006", "10000006", "Martian", "10000007"],
        }
    )

    class Raw:
        frame = raw

    frame = pseudonymised(parse(Raw(), KINDS["disciplinary"], Settings()))
    with StateStore(tmp_path) as store:
        # 10000006 is a member of staff of RYY; 10000007 is nobody's number
        store_snapshot(store, "a" * 64, [("RYY", "10000006"), ("RXX", "EMP-A")])
        assert store.known_file("a" * 64) is not None  # leaves a result unfetched on the connection
        context = ValidationContext(
            pseudonymise=partial(pseudonymise_column, key=KEY), stored_identifiers=store.stored_identifiers
        )
        report = validate(
            frame,
            KINDS["disciplinary"],
            "disciplinary_2025-03-31.csv",
            date(2025, 3, 31),
            Settings(),
            context,
        )
        flags = store.stored_identifiers(pl.Series([stored_id("EMP-A"), None, stored_id("10000007")]))
    assert flags.to_list() == [True, False, False]
    message = next(r.message for r in report.results if r.check == "unknown_ethnic_code")
    assert "10000006" not in message
    assert '"(an identifier, not shown)" (2 rows), "10000007" (1 row), "Martian" (1 row)' in message
    assert "rows 2, 3, 4, 5" in message


def test_employee_numbers_that_lost_their_leading_zeros_are_the_same_people(tmp_path):
    # the ESR extract writes 00045001; a training file saved through Excel holds 45001
    with StateStore(tmp_path) as store:
        store_snapshot(store, "a" * 64, [("RXX", "00045001"), ("RXX", "00045002")])
        pairs = pl.DataFrame(
            {"organisation_code": ["RXX"] * 4, "employee_id": ["45001", "045002", " 00045001", "45009"]}
        )
        flags = store.employees_not_in_snapshots(pseudonymised(pairs))
    assert flags.to_list() == [False, False, False, True]
