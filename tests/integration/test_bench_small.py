"""The national benchmark at a tiny scale, and its two comparison contenders on a hand-made inbox.

The benchmark itself stays out of CI at national scale; here it runs 3 trusts x 300 staff end to
end (a real ``wres run`` against its own ``prefect server start``) and must report agreement of the
three contenders on the core numbers. No timing is asserted.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench import core_numbers, national
from bench.duckdb_floor import floor_counts
from bench.pandas_indicators import compute_indicators

# A hand-made inbox: one trust, one snapshot at 2025-03-31 (window 2024-04-01..2025-03-31).
STAFF = """Org Code,Employee Number,Assignment Number,Staff Group,Job Role,Area of Work,Pay Band,Ethnic Origin,Assignment Category,Primary
R1,1,1a,Nursing and Midwifery Registered,Midwife,Labour Ward,Band 6,A White - British,Permanent,Y
R1,1,1b,Nursing and Midwifery Registered,Midwife,Labour Ward,Band 7,A White - British,Bank,
R1,2,2a,Administrative and Clerical,Clerk,Finance,Band 3,N Black or Black British - African,Permanent,
R1,2,2b,Administrative and Clerical,Manager,Finance,Band 8A,N Black or Black British - African,Fixed Term Temp,
R1,3,3a,Medical and Dental,Consultant,Obstetrics,Consultant,Z Not Stated,Permanent,Y
R1,4,4a,Estates and Ancillary,Porter,Estates,Band 2,B White - Irish,Bank,Y
R1,5,5a,Allied Health Professionals,Physio,Therapies,Band 5,H Asian or Asian British - Indian,Permanent,Y
"""
# Expected by hand (bank left out; person 4 is bank only):
#   trust headcount white 1 (person 1), bme 2 (persons 2 and 5), unknown 1 (person 3);
#   person 2's band is the highest, Band 8a (no primary flag), so non_clinical|Band 8a holds 1 bme;
#   maternity_neonatal: persons 1 (Labour Ward) and 3 (Obstetrics): white 1, unknown 1.
RECRUITMENT_OLD = """organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date
R1,A1,A,Yes,No,2024-06-01
R1,A2,H,Yes,No,2024-06-01
"""
RECRUITMENT_NEW = """organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date
R1,A1,A,Yes,Yes,01/06/2024
R1,A3,A,Yes,No,2024-04-01
R1,A4,A,Yes,Yes,2024-03-31
R1,A5,N,No,No,
R1,A6,N,Yes,Yes,31/03/2025
"""
# Indicator 2 by hand: A1 appointed (the newer file wins); A4 on D - 12 months is outside the
# window, A3 on its first day inside; A5 not shortlisted. white: shortlisted A1, A3 = 2, appointed 1;
# bme: A2 (old file only, still counts), A6 = 2 shortlisted, appointed 1.


@pytest.fixture
def tiny_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "staff_in_post_2025-03-31.csv").write_text(STAFF)
    (inbox / "recruitment_2024-12-31.csv").write_text(RECRUITMENT_OLD)
    (inbox / "recruitment_2025-03-31.csv").write_text(RECRUITMENT_NEW)
    return inbox


EXPECTED_CORE = [
    ("headcount", "bme", 2),
    ("headcount", "unknown", 1),
    ("headcount", "white", 1),
    ("appointed", "bme", 1),
    ("appointed", "white", 1),
    ("shortlisted", "bme", 2),
    ("shortlisted", "white", 2),
]


def _as_tuples(core: pd.DataFrame) -> set[tuple[str, str, int]]:
    assert set(core["organisation_code"]) == {"R1"} and set(core["snapshot_date"]) == {"2025-03-31"}
    return {(m, g, int(c)) for m, g, c in core[["measure", "ethnic_group", "count"]].itertuples(index=False)}


def test_pandas_contender_applies_the_contract_rules(tiny_inbox: Path) -> None:
    indicators = compute_indicators(tiny_inbox)
    assert _as_tuples(core_numbers.from_indicators(indicators)) == set(EXPECTED_CORE)

    def value(scope: str, indicator: int, group: str, breakdown: str = "") -> tuple[int, int]:
        row = indicators[
            (indicators["scope"] == scope)
            & (indicators["indicator"] == indicator)
            & (indicators["ethnic_group"] == group)
            & (indicators["breakdown"] == breakdown)
        ]
        assert len(row) == 1
        return int(row["numerator"].iloc[0]), int(row["denominator"].iloc[0])

    assert value("trust", 1, "bme", "non_clinical|Band 8a") == (1, 1)
    assert value("trust", 1, "bme", "all|all") == (2, 4)
    assert value("maternity_neonatal", 1, "white", "all|all") == (1, 2)
    assert value("maternity_neonatal", 1, "unknown", "clinical|Medical: Consultant") == (1, 1)
    rl = indicators[(indicators["indicator"] == 2) & (indicators["scope"] == "trust")]
    rl = rl[rl["measure"] == "relative_likelihood"]
    assert rl["value"].tolist() == [pytest.approx((1 / 2) / (1 / 2))]


def test_floor_contender_counts_the_same(tiny_inbox: Path) -> None:
    assert _as_tuples(core_numbers.from_floor(floor_counts(tiny_inbox))) == set(EXPECTED_CORE)


def test_disagreements_counts_differing_and_missing_rows() -> None:
    a = pd.DataFrame(
        [("R1", "2025-03-31", "headcount", "white", 3), ("R1", "2025-03-31", "headcount", "bme", 2)],
        columns=core_numbers.COLUMNS,
    )
    b = a.copy()
    assert core_numbers.disagreements(a, b) == 0
    b.loc[1, "count"] = 5
    assert core_numbers.disagreements(a, b) == 1
    assert core_numbers.disagreements(a, b.iloc[:1]) == 1


@pytest.mark.integration
def test_benchmark_small_run_agrees_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = national.main(["--trusts", "3", "--staff", "300", "--workdir", str(tmp_path / "bench")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    for expected in (
        "agreement wres vs pandas: equal",
        "agreement wres vs floor: equal",
        "agreement pandas vs floor: equal",
        "wres run (whole) / pandas compute = ",
        "wres compute (ingest..marts) / floor = ",
        "wres peak RSS = ",
    ):
        assert expected in printed
    stages = [
        line.split()[0] for line in printed.splitlines() if line.startswith("  ") and "  of which" not in line
    ]
    assert {"start-up", "ingest", "warehouse", "publish"} <= set(stages)
    core = pd.read_csv(tmp_path / "bench" / "core_pandas.csv")
    # 3 trusts x 2 snapshots x (headcount white/bme/unknown present in every trust)
    headcount = core[core["measure"] == "headcount"]
    assert len(headcount.groupby(["organisation_code", "snapshot_date"])) == 6
