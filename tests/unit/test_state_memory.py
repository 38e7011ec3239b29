"""DuckDB's memory limit lowered for one step of the build and given back after it (wres.state)."""

from __future__ import annotations

import duckdb
import pytest

from wres.state import memory_limited


def limit(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_the_limit_holds_inside_the_block_and_the_next_one_comes_after_it_even_after_an_error():
    con = duckdb.connect()
    con.execute("set memory_limit = '1GB'")
    before = limit(con)
    with pytest.raises(ZeroDivisionError), memory_limited(con, "256MB", then="1GB"):
        inside = limit(con)
        1 / 0  # noqa: B018
    # DuckDB shows its limits in MiB, rounded: 256 MB = 244.14 MiB, 1 GB = 953.67 MiB
    assert (inside, before, limit(con)) == ("244.1 MiB", "953.6 MiB", "953.6 MiB")
    con.close()
