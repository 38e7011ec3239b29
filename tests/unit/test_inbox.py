"""Inbox discovery: kinds, dates, years and names from file names; hashes; read-only inbox."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from wres.config import Settings
from wres.inbox import InboxFile, UnrecognisedFile, classify, discover, file_hash, holds_an_extract
from wres.kinds import KINDS
from wres.reading import read_raw

BOARD_CSV = b"organisation_code,member_id,ethnic_origin,voting,executive\nRX1,M1,A,Y,N\n"


def _write(folder: Path, name: str, data: bytes = BOARD_CSV) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "kind", "file_date", "survey_year", "reference_name"),
    [
        ("staff_in_post_2025-03-31.csv", "staff_in_post", date(2025, 3, 31), None, None),
        ("Staff_In_Post_2025-03-31.CSV", "staff_in_post", date(2025, 3, 31), None, None),
        ("recruitment_2024-12-01.xlsx", "recruitment", date(2024, 12, 1), None, None),
        ("DISCIPLINARY_2025-01-15.csv", "disciplinary", date(2025, 1, 15), None, None),
        ("training_2024-02-29.csv", "training", date(2024, 2, 29), None, None),  # a leap day
        ("board_2025-03-31.XLSX", "board", date(2025, 3, 31), None, None),
        ("staff_survey_2019.csv", "staff_survey", None, 2019, None),
        ("Staff_Survey_2024.xlsx", "staff_survey", None, 2024, None),
        ("catchment.csv", "catchment", None, None, None),
        ("reference_ons_mid2022.csv", "reference", None, None, "ons_mid2022"),
        ("Reference_ICB-North.xlsx", "reference", None, None, "ICB-North"),
    ],
)
def test_discover_reads_kind_and_date_from_the_name(
    tmp_path, name, kind, file_date, survey_year, reference_name
):
    _write(tmp_path, name)
    found, unrecognised = discover(tmp_path)
    assert unrecognised == []
    assert len(found) == 1
    item = found[0]
    assert (item.name, item.kind, item.file_date, item.survey_year, item.reference_name) == (
        name,
        kind,
        file_date,
        survey_year,
        reference_name,
    )
    assert item.path == tmp_path / name
    assert item.size == len(BOARD_CSV)


@pytest.mark.parametrize(
    ("name", "reason_part"),
    [
        ("staff_in_post_2025-02-30.csv", "2025-02-30 is an impossible date"),
        ("board_2025-13-01.csv", "2025-13-01 is an impossible date"),
        ("training_2025-00-10.xlsx", "2025-00-10 is an impossible date"),
        ("staff_survey_0000.csv", "impossible"),
    ],
)
def test_impossible_dates_are_unrecognised_with_the_reason(tmp_path, name, reason_part):
    _write(tmp_path, name)
    found, unrecognised = discover(tmp_path)
    assert found == []
    assert [u.name for u in unrecognised] == [name]
    assert reason_part in unrecognised[0].reason


@pytest.mark.parametrize(
    "name",
    [
        "notes.txt",
        "payroll_2025-03-31.csv",
        "wres_export.csv",
    ],
)
def test_unknown_names_are_reported_with_the_accepted_forms(tmp_path, name):
    _write(tmp_path, name)
    found, unrecognised = discover(tmp_path)
    assert found == []
    assert unrecognised == [UnrecognisedFile(tmp_path / name, name, unrecognised[0].reason)]
    for form in ("staff_in_post_YYYY-MM-DD.csv", "staff_survey_YYYY.csv", "reference_NAME.csv", ".xlsx"):
        assert form in unrecognised[0].reason


def test_hidden_lock_and_system_files_and_subfolders_are_skipped(tmp_path):
    _write(tmp_path, ".DS_Store")
    _write(tmp_path, "~$board_2025-03-31.xlsx")
    _write(tmp_path, "Thumbs.db")
    (tmp_path / "archive").mkdir()
    _write(tmp_path / "archive", "board_2025-03-31.csv")
    assert discover(tmp_path) == ([], [])


def test_a_folder_or_dangling_link_named_like_an_extract_is_reported_as_left_alone(tmp_path):
    (tmp_path / "staff_in_post_2025-03-31.csv").mkdir()
    (tmp_path / "board_2025-03-31.csv").symlink_to(tmp_path / "gone.csv")
    _write(tmp_path, "training_2025-03-31.csv")
    (tmp_path / "training_2025-04-30.csv").symlink_to(tmp_path / "training_2025-03-31.csv")  # a file
    found, unrecognised = discover(tmp_path)
    assert [f.name for f in found] == ["training_2025-03-31.csv", "training_2025-04-30.csv"]
    assert [(u.name, u.kind, u.reason) for u in unrecognised] == [
        (
            "board_2025-03-31.csv",
            None,
            "it is a link to a file that does not exist, not a file: left alone, nothing read",
        ),
        ("staff_in_post_2025-03-31.csv", None, "it is a folder, not a file: left alone, nothing read"),
    ]


def test_an_inbox_holds_an_extract_only_when_a_file_is_named_as_one(tmp_path):
    # what decides whether `wres run` imports Great Expectations while its Prefect server starts
    (tmp_path / "staff_in_post_2025-03-31.csv").mkdir()  # a folder named like an extract
    _write(tmp_path, "~$board_2025-03-31.xlsx")  # an Office lock file
    _write(tmp_path, "notes.txt")
    _write(tmp_path, "staff_in_post_31-03-2025.csv")  # the date in another form
    assert not holds_an_extract(tmp_path)
    _write(tmp_path, "Staff_Survey_2024.xlsx")
    assert holds_an_extract(tmp_path)


def test_results_are_sorted_by_name(tmp_path):
    for name in ("training_2025-01-01.csv", "board_2025-03-31.csv", "catchment.csv", "zzz.txt", "aaa.txt"):
        _write(tmp_path, name)
    found, unrecognised = discover(tmp_path)
    assert [f.name for f in found] == ["board_2025-03-31.csv", "catchment.csv", "training_2025-01-01.csv"]
    assert [u.name for u in unrecognised] == ["aaa.txt", "zzz.txt"]


def test_file_hash_is_sha256_of_the_bytes(tmp_path):
    path = _write(tmp_path, "x.csv", b"abc")
    # the FIPS 180-2 test vector for "abc"
    assert file_hash(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_hash_of_a_file_larger_than_one_chunk(tmp_path):
    data = bytes(range(256)) * 9000  # 2.3 MB: three 1 MiB chunks
    path = _write(tmp_path, "big.csv", data)
    assert file_hash(path) == hashlib.sha256(data).hexdigest()


def test_same_bytes_under_two_names_have_one_hash(tmp_path):
    _write(tmp_path, "board_2025-03-31.csv")
    _write(tmp_path, "board_2025-04-30.csv")
    _write(tmp_path, "board_2025-05-31.csv", BOARD_CSV + b"RX1,M2,B,Y,Y\n")
    found, _ = discover(tmp_path)
    hashes = [f.sha256 for f in found]
    assert hashes[0] == hashes[1] != hashes[2]


def test_discover_and_read_leave_the_inbox_unchanged(tmp_path):
    files = {
        "board_2025-03-31.csv": BOARD_CSV,
        "board_2024-03-31.csv": b"\xef\xbb\xbf" + BOARD_CSV.replace(b",", b";"),
        "board_2023-03-31.csv": BOARD_CSV.replace(b"A,Y", b"\xd3,Y"),  # Windows-1252
        "notes.txt": b"hello",
        "staff_in_post_2025-02-30.csv": b"x",
    }
    for name, data in files.items():
        _write(tmp_path, name, data)
    book = openpyxl.Workbook()
    for line in BOARD_CSV.decode().splitlines():
        book.active.append(line.split(","))
    book.save(tmp_path / "board_2022-03-31.xlsx")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in tmp_path.iterdir()}
    found, _ = discover(tmp_path)
    assert len(found) == 4
    for item in found:
        assert read_raw(item.path, KINDS[item.kind], Settings()).frame.height == 1
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in tmp_path.iterdir()}
    assert after == before


def test_inbox_file_is_frozen(tmp_path):
    _write(tmp_path, "catchment.csv")
    item: InboxFile = discover(tmp_path)[0][0]
    with pytest.raises(AttributeError):
        item.kind = "board"  # type: ignore[misc]


def test_a_file_the_job_cannot_read_is_rejected_by_name_and_the_others_are_found(tmp_path):
    readable = _write(tmp_path, "board_2025-03-31.csv")
    unreadable = _write(tmp_path, "board_2025-04-30.csv", BOARD_CSV + b"RX1,M2,B,Y,Y\n")
    unreadable.chmod(0)
    # root reads any file: drop that power (util-linux's setpriv), as a service account would lack it
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", "--"]
    if os.geteuid() != 0:
        prefix = []
    elif shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: every file is readable")
    script = (
        "import sys; from pathlib import Path; from wres.inbox import discover; "
        "found, other = discover(Path(sys.argv[1])); "
        "print([f.name for f in found]); print([(o.name, o.kind, o.reason) for o in other])"
    )
    result = subprocess.run(
        [*prefix, sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    found, other = result.stdout.splitlines()
    assert found == repr([readable.name])
    assert other == repr(
        [
            (
                unreadable.name,
                "board",
                "the file cannot be read (Permission denied): give the job permission to read it",
            )
        ]
    )


@pytest.mark.parametrize(
    ("name", "resembles"),
    [
        ("staff_in_post_31-03-2025.csv", "staff_in_post"),
        ("staff_in_post.csv", "staff_in_post"),  # no date
        ("staff_in_post_2025-3-31.csv", "staff_in_post"),  # not YYYY-MM-DD
        ("staff_in_post_2025-03-31.xls", "staff_in_post"),  # old Excel
        ("staff_in_post_2025-03-31.csv.bak", "staff_in_post"),
        ("staff_survey_24.csv", "staff_survey"),
        ("reference_.csv", "reference"),
        ("Staff in post 2025-03-31.csv", "staff_in_post"),
        ("staff_in_post_2025-03-31 (1).csv", "staff_in_post"),
        ("staff-survey-2024.csv", "staff_survey"),
        ("Recruitment 2025.xlsx", "recruitment"),
        ("catchment (2).csv", "catchment"),
        ("staff_in_post_2025-03-31 - Copy.csv", "staff_in_post"),
        ("payroll_2025-03-31.csv", None),
        ("notes.txt", None),
        ("staff_list.csv", None),
        # named after people: never taken for a misnamed extract (so never published by name)
        ("Board minutes - grievance A. Patel.pdf", None),
        ("disciplinary_hearing_Jane_Doe_notes.docx", None),
        ("trainingplan for John Smith.xlsx", None),
        ("reference_letter Mary Jones.docx", None),
    ],
)
def test_a_misnamed_extract_is_told_what_its_name_should_be(tmp_path, name, resembles):
    path = tmp_path / name
    path.write_text("x\n")
    result = classify(path)
    assert isinstance(result, UnrecognisedFile) and result.kind is None
    if resembles is None:
        assert "matches none of the accepted forms" in result.reason
    else:
        template = {
            "staff_in_post": "staff_in_post_YYYY-MM-DD.csv",
            "staff_survey": "staff_survey_YYYY.csv",
            "recruitment": "recruitment_YYYY-MM-DD.csv",
            "catchment": "catchment.csv",
            "reference": "reference_NAME.csv",
        }[resembles]
        assert result.reason.startswith(f"the name starts like {template} but does not follow it")
        date_advice = "the date written YYYY-MM-DD" in result.reason
        assert date_advice == (resembles in ("staff_in_post", "recruitment"))


def test_no_head_start_for_an_inbox_that_cannot_be_listed(tmp_path, monkeypatch):
    # warming up is only a head start: a folder that cannot be listed is the ingest's to report, in
    # the run's log, so this must neither raise nor start anything
    from wres.cli import _validation_warming_up_while_a_server_starts

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    settings = Settings().with_paths(inbox=tmp_path / "gone")
    assert _validation_warming_up_while_a_server_starts(settings) is None
