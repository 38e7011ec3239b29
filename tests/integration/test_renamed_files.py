"""A file's kind and date come from the name it has now (CONTRACT section 1), also when its bytes
were seen before under another name: a rejected file renamed as its message asks, a loaded file
renamed to its right date, and the same bytes dropped under a wrong name and a right one.

Built without Prefect, by the library function the flow's ingest task wraps (``wres.pipeline.ingest``),
on a real state file; each test reads what the state then holds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wres.config import Settings
from wres.pipeline import IngestResult, ingest, new_run_id
from wres.state import StateStore

pytestmark = pytest.mark.integration

STAFF = """\
organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,ethnic_origin
RXX,1001,1001-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 6,A
RXX,1002,1002-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 5,N
RXX,1003,1003-1,Administrative and Clerical,Clerk,Finance,Band 3,H
"""
# one event dated 2025-01-15: after 2024-03-31, so under that name the file is rejected
# (date_in_future), and valid under 2025-03-31
RECRUITMENT = """\
organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date
RXX,APP1,A,Y,Y,2024-06-01
RXX,APP2,N,Y,Y,2024-06-01
RXX,APP3,A,Y,N,2025-01-15
"""


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Settings]:
    monkeypatch.setenv("WRES_PSEUDONYMISATION_KEY", "k" * 40)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "staff_in_post_2025-03-31.csv").write_text(STAFF, encoding="utf-8")
    settings = Settings().with_paths(
        inbox=inbox, state=tmp_path / "state", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )
    return inbox, settings


def run(settings: Settings) -> tuple[IngestResult, list[tuple]]:
    """One ingest; the outcome of each file, and the state's files as (name, kind, file_date,
    status, rows, rows stored under the file's kind)."""
    with StateStore(settings.paths.state) as store:
        result = ingest(store, settings, new_run_id())
        files = store.con.execute(
            """select f.name, f.kind, f.file_date, f.status, f.rows,
                      (select count(*) from rows_recruitment r where r.file_sha256 = f.sha256)
                      + (select count(*) from rows_board r where r.file_sha256 = f.sha256)
                      + (select count(*) from rows_staff_in_post r where r.file_sha256 = f.sha256)
               from files f where f.kind <> 'staff_in_post' or f.name like 'board%' order by f.name"""
        ).fetchall()
    return result, files


def outcomes(result: IngestResult) -> dict[str, str]:
    return {o.name: o.outcome for o in result.outcomes}


def test_a_rejected_file_renamed_to_its_right_date_loads_under_that_date(folders):
    inbox, settings = folders
    (inbox / "recruitment_2024-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    first, files = run(settings)
    assert outcomes(first)["recruitment_2024-03-31.csv"] == "rejected"
    assert files == [("recruitment_2024-03-31.csv", "recruitment", date(2024, 3, 31), "rejected", None, 0)]

    (inbox / "recruitment_2024-03-31.csv").rename(inbox / "recruitment_2025-03-31.csv")
    second, files = run(settings)
    assert outcomes(second)["recruitment_2025-03-31.csv"] == "loaded"
    assert second.exit_code == 0
    assert files == [("recruitment_2025-03-31.csv", "recruitment", date(2025, 3, 31), "loaded", 3, 3)]


def test_a_file_rejected_as_another_kind_loads_as_the_kind_its_new_name_says(folders):
    inbox, settings = folders
    (inbox / "board_2025-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")  # no board columns
    first, files = run(settings)
    assert outcomes(first)["board_2025-03-31.csv"] == "rejected"
    assert files == [("board_2025-03-31.csv", "board", date(2025, 3, 31), "rejected", None, 0)]

    (inbox / "board_2025-03-31.csv").rename(inbox / "recruitment_2025-03-31.csv")
    second, files = run(settings)
    assert outcomes(second)["recruitment_2025-03-31.csv"] == "loaded"
    assert files == [("recruitment_2025-03-31.csv", "recruitment", date(2025, 3, 31), "loaded", 3, 3)]


def test_a_loaded_file_renamed_to_another_date_is_read_again_under_it(folders):
    inbox, settings = folders
    (inbox / "recruitment_2025-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    run(settings)
    (inbox / "recruitment_2025-03-31.csv").rename(inbox / "recruitment_2025-06-30.csv")
    second, files = run(settings)
    assert outcomes(second)["recruitment_2025-06-30.csv"] == "loaded"
    # its rows once, under the new name
    assert files == [("recruitment_2025-06-30.csv", "recruitment", date(2025, 6, 30), "loaded", 3, 3)]


def test_a_loaded_file_renamed_without_changing_its_kind_or_date_is_not_read_again(folders):
    inbox, settings = folders
    (inbox / "recruitment_2025-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    run(settings)
    (inbox / "recruitment_2025-03-31.csv").rename(inbox / "RECRUITMENT_2025-03-31.CSV")
    second, files = run(settings)
    assert outcomes(second)["RECRUITMENT_2025-03-31.CSV"] == "unchanged"
    assert files == [("RECRUITMENT_2025-03-31.CSV", "recruitment", date(2025, 3, 31), "loaded", 3, 3)]


def test_the_same_bytes_under_a_wrong_name_and_a_right_one_load_under_the_right_one(folders):
    inbox, settings = folders
    (inbox / "recruitment_2024-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    (inbox / "recruitment_2025-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    first, files = run(settings)
    # the wrong name is read first (the earlier date) and fails; the right one is then read
    assert outcomes(first) == {
        "staff_in_post_2025-03-31.csv": "loaded",
        "recruitment_2024-03-31.csv": "rejected",
        "recruitment_2025-03-31.csv": "loaded",
    }
    assert files == [("recruitment_2025-03-31.csv", "recruitment", date(2025, 3, 31), "loaded", 3, 3)]

    second, files = run(settings)
    assert outcomes(second) == {
        "staff_in_post_2025-03-31.csv": "unchanged",
        "recruitment_2024-03-31.csv": "duplicate",
        "recruitment_2025-03-31.csv": "unchanged",
    }
    assert second.exit_code == 0
    assert files == [("recruitment_2025-03-31.csv", "recruitment", date(2025, 3, 31), "loaded", 3, 3)]


def test_the_same_bytes_failing_under_two_names_of_one_date_are_validated_once(folders):
    inbox, settings = folders
    (inbox / "recruitment_2024-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    (inbox / "RECRUITMENT_2024-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    result, _ = run(settings)
    assert sorted(outcomes(result).values()) == ["duplicate", "loaded", "rejected"]
    assert len([r for r in result.reports if r.rejected]) == 1
    assert result.exit_code == 1


def test_a_loaded_file_renamed_to_a_kind_it_does_not_fit_is_rejected_and_its_rows_go(folders):
    inbox, settings = folders
    (inbox / "recruitment_2025-03-31.csv").write_text(RECRUITMENT, encoding="utf-8")
    run(settings)
    (inbox / "recruitment_2025-03-31.csv").rename(inbox / "board_2025-03-31.csv")
    second, files = run(settings)
    assert outcomes(second)["board_2025-03-31.csv"] == "rejected"
    # no recruitment rows left behind to count as loaded applications
    assert files == [("board_2025-03-31.csv", "board", date(2025, 3, 31), "rejected", None, 0)]
