"""The mandated-minimum benchmark (bench.mandated_minimum) on a tiny synthetic inbox: the state and
warehouse copies hold every data row of every file, the suites run on every row, and the printed
sums are the sums of the pieces. No timing is asserted."""

from __future__ import annotations

import csv

import duckdb

from bench.mandated_minimum import FILE_COPY, Timing, hash_and_validate, report, store_and_copy
from wres.synthetic import generate_inbox


def _data_rows(path) -> int:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1  # the header


def test_every_row_is_stored_copied_and_validated(tmp_path):
    inbox = tmp_path / "inbox"
    generate_inbox(inbox, trusts=2, staff_per_trust=120)
    files = sorted(inbox.glob("*.csv"))
    expected = [_data_rows(path) for path in files]

    timings = store_and_copy(inbox, tmp_path / "work")
    assert set(timings) == {"store once", "copy into a warehouse", FILE_COPY}
    for database in ("state.duckdb", "warehouse.duckdb", "state-copy.duckdb"):
        con = duckdb.connect(str(tmp_path / "work" / database), read_only=True)
        stored = [con.execute(f"select count(*) from file_{n}").fetchone()[0] for n in range(len(files))]
        con.close()
        assert stored == expected, database

    timings, validated_rows = hash_and_validate(inbox)
    assert validated_rows == sum(expected)
    assert set(timings) == {"pseudonyms", "Great Expectations"}


def test_the_report_sums_the_pieces_against_the_floor():
    timings = {
        "floor": Timing(10.0, 18.0),
        "store once": Timing(12.0, 20.0),
        "copy into a warehouse": Timing(8.0, 14.0),
        "pseudonyms": Timing(2.5, 4.0),
        "Great Expectations": Timing(9.5, 10.0),
        FILE_COPY: Timing(1.0, 0.5),
    }
    lines = report(timings, cores=2)
    assert lines[7].split()[-3:] == ["32.0", "3.20", "48.0"]  # 12 + 8 + 2.5 + 9.5; cpu 20 + 14 + 4 + 10
    assert lines[8].split()[-3:] == ["25.0", "2.50", "34.5"]  # the file copy instead of the table copy
    assert "<= 3x the floor = 30.0 s" in lines[9]
    assert "with the file copy: 5.0 s one piece after another" in lines[9]
    assert (
        "12.8 s if the pieces' processor time were spread perfectly over 2 cores (17.2 s, 1.73x" in lines[9]
    )
