"""Issue 3's proof: every indicator value of a hand-built inbox, through the real pipeline.

The inbox (``tests/fixtures/indicator_inbox/inbox``) is run once with the real ``wres run`` against
the session's Prefect server; the tests then read ``marts.wres_indicators``,
``marts.representation`` and the published CSVs. Every expected count, every suppression flag and
every interpretation below was worked out by hand: ``tests/fixtures/indicator_inbox/README.md``
shows the working. Values and intervals are computed here from those counts with the CONTRACT's
formulas (Wilson score, Katz log, z = 1.959964), never with the product's SQL.
"""

from __future__ import annotations

import csv
import math
import shutil
from datetime import date

import duckdb
import pytest

from tests.conftest import REPO_ROOT, run_wres
from tests.contract_schemas import INDICATOR_KEY

pytestmark = pytest.mark.integration

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "indicator_inbox" / "inbox"
Z = 1.959964
SNAPSHOTS = {"D1": date(2024, 3, 31), "D2": date(2025, 3, 31)}
WINDOWS = {"D1": "2023-04-01..2024-03-31", "D2": "2024-04-01..2025-03-31"}
SCOPES = {
    "trust": "trust",
    "mat": "maternity_neonatal",
    "mid": "maternity:midwives",
    "neo": "maternity:neonatal_nursing",
    "obs": "maternity:obstetric_medical",
    "sup": "maternity:support_workers",
    "oth": "maternity:other",
}
RATE_GROUPS = ("white", "bme", "unknown", "asian", "black", "mixed", "other")

# ---------------------------------------------------------------------------------------------
# Indicator 1: org; snapshot; scope; breakdown; white bme unknown; s(hown)/h(idden) per group.
# Only the trust's all|all cells are shown: every other cell holds a count of 1-4 in each of its
# groups, or a total of 1-4, or is hidden by the secondary rule (README, "Indicator 1").
INDICATOR1 = """
R1A;D1;trust;all|all;6 11 5;sss
R1A;D1;trust;all|Band 3;1 3 1;hhh
R1A;D1;trust;all|Band 5;2 3 1;hhh
R1A;D1;trust;all|Band 6;1 2 2;hhh
R1A;D1;trust;all|Band 8a;0 1 0;hhh
R1A;D1;trust;all|Medical: Consultant;1 1 0;hhh
R1A;D1;trust;all|Medical: Trainee;1 1 0;hhh
R1A;D1;trust;all|Other;0 0 1;hhh
R1A;D1;trust;clinical|all;5 8 3;hhh
R1A;D1;trust;clinical|Band 3;0 0 1;hhh
R1A;D1;trust;clinical|Band 5;2 3 0;hhh
R1A;D1;trust;clinical|Band 6;1 2 2;hhh
R1A;D1;trust;clinical|Band 8a;0 1 0;hhh
R1A;D1;trust;clinical|Medical: Consultant;1 1 0;hhh
R1A;D1;trust;clinical|Medical: Trainee;1 1 0;hhh
R1A;D1;trust;non_clinical|all;1 3 2;hhh
R1A;D1;trust;non_clinical|Band 3;1 3 0;hhh
R1A;D1;trust;non_clinical|Band 5;0 0 1;hhh
R1A;D1;trust;non_clinical|Other;0 0 1;hhh
R1A;D2;trust;all|all;10 10 5;sss
R1A;D2;trust;all|Band 3;3 3 1;hhh
R1A;D2;trust;all|Band 5;3 2 1;hhh
R1A;D2;trust;all|Band 6;1 2 2;hhh
R1A;D2;trust;all|Band 8a;1 1 0;hhh
R1A;D2;trust;all|Medical: Consultant;1 1 0;hhh
R1A;D2;trust;all|Medical: Trainee;1 1 0;hhh
R1A;D2;trust;all|Other;0 0 1;hhh
R1A;D2;trust;clinical|all;7 7 3;hhh
R1A;D2;trust;clinical|Band 3;1 0 1;hhh
R1A;D2;trust;clinical|Band 5;3 2 0;hhh
R1A;D2;trust;clinical|Band 6;1 2 2;hhh
R1A;D2;trust;clinical|Band 8a;0 1 0;hhh
R1A;D2;trust;clinical|Medical: Consultant;1 1 0;hhh
R1A;D2;trust;clinical|Medical: Trainee;1 1 0;hhh
R1A;D2;trust;non_clinical|all;3 3 2;hhh
R1A;D2;trust;non_clinical|Band 3;2 3 0;hhh
R1A;D2;trust;non_clinical|Band 5;0 0 1;hhh
R1A;D2;trust;non_clinical|Band 8a;1 0 0;hhh
R1A;D2;trust;non_clinical|Other;0 0 1;hhh
R1A;D1;mat;all|all;4 5 2;hhh
R1A;D1;mat;all|Band 3;1 0 1;hhh
R1A;D1;mat;all|Band 5;1 2 0;hhh
R1A;D1;mat;all|Band 6;1 1 1;hhh
R1A;D1;mat;all|Band 8a;0 1 0;hhh
R1A;D1;mat;all|Medical: Consultant;1 0 0;hhh
R1A;D1;mat;all|Medical: Trainee;0 1 0;hhh
R1A;D1;mat;clinical|all;3 5 2;hhh
R1A;D1;mat;clinical|Band 3;0 0 1;hhh
R1A;D1;mat;clinical|Band 5;1 2 0;hhh
R1A;D1;mat;clinical|Band 6;1 1 1;hhh
R1A;D1;mat;clinical|Band 8a;0 1 0;hhh
R1A;D1;mat;clinical|Medical: Consultant;1 0 0;hhh
R1A;D1;mat;clinical|Medical: Trainee;0 1 0;hhh
R1A;D1;mat;non_clinical|all;1 0 0;hhh
R1A;D1;mat;non_clinical|Band 3;1 0 0;hhh
R1A;D2;mat;all|all;4 4 2;hhh
R1A;D2;mat;all|Band 3;1 0 1;hhh
R1A;D2;mat;all|Band 5;1 1 0;hhh
R1A;D2;mat;all|Band 6;1 1 1;hhh
R1A;D2;mat;all|Band 8a;0 1 0;hhh
R1A;D2;mat;all|Medical: Consultant;1 0 0;hhh
R1A;D2;mat;all|Medical: Trainee;0 1 0;hhh
R1A;D2;mat;clinical|all;3 4 2;hhh
R1A;D2;mat;clinical|Band 3;0 0 1;hhh
R1A;D2;mat;clinical|Band 5;1 1 0;hhh
R1A;D2;mat;clinical|Band 6;1 1 1;hhh
R1A;D2;mat;clinical|Band 8a;0 1 0;hhh
R1A;D2;mat;clinical|Medical: Consultant;1 0 0;hhh
R1A;D2;mat;clinical|Medical: Trainee;0 1 0;hhh
R1A;D2;mat;non_clinical|all;1 0 0;hhh
R1A;D2;mat;non_clinical|Band 3;1 0 0;hhh
R1A;D1;mid;all|all;1 3 1;hhh
R1A;D1;mid;all|Band 5;0 2 0;hhh
R1A;D1;mid;all|Band 6;1 0 1;hhh
R1A;D1;mid;all|Band 8a;0 1 0;hhh
R1A;D1;mid;clinical|all;1 3 1;hhh
R1A;D1;mid;clinical|Band 5;0 2 0;hhh
R1A;D1;mid;clinical|Band 6;1 0 1;hhh
R1A;D1;mid;clinical|Band 8a;0 1 0;hhh
R1A;D2;mid;all|all;1 2 1;hhh
R1A;D2;mid;all|Band 5;0 1 0;hhh
R1A;D2;mid;all|Band 6;1 0 1;hhh
R1A;D2;mid;all|Band 8a;0 1 0;hhh
R1A;D2;mid;clinical|all;1 2 1;hhh
R1A;D2;mid;clinical|Band 5;0 1 0;hhh
R1A;D2;mid;clinical|Band 6;1 0 1;hhh
R1A;D2;mid;clinical|Band 8a;0 1 0;hhh
"""
# the role groups other than midwives hold the same people at both snapshots
for _snap in ("D1", "D2"):
    INDICATOR1 += f"""
R1A;{_snap};neo;all|all;1 1 0;hhh
R1A;{_snap};neo;all|Band 5;1 0 0;hhh
R1A;{_snap};neo;all|Band 6;0 1 0;hhh
R1A;{_snap};neo;clinical|all;1 1 0;hhh
R1A;{_snap};neo;clinical|Band 5;1 0 0;hhh
R1A;{_snap};neo;clinical|Band 6;0 1 0;hhh
R1A;{_snap};obs;all|all;1 1 0;hhh
R1A;{_snap};obs;all|Medical: Consultant;1 0 0;hhh
R1A;{_snap};obs;all|Medical: Trainee;0 1 0;hhh
R1A;{_snap};obs;clinical|all;1 1 0;hhh
R1A;{_snap};obs;clinical|Medical: Consultant;1 0 0;hhh
R1A;{_snap};obs;clinical|Medical: Trainee;0 1 0;hhh
R1A;{_snap};sup;all|all;0 0 1;hhh
R1A;{_snap};sup;all|Band 3;0 0 1;hhh
R1A;{_snap};sup;clinical|all;0 0 1;hhh
R1A;{_snap};sup;clinical|Band 3;0 0 1;hhh
R1A;{_snap};oth;all|all;1 0 0;hhh
R1A;{_snap};oth;all|Band 3;1 0 0;hhh
R1A;{_snap};oth;non_clinical|all;1 0 0;hhh
R1A;{_snap};oth;non_clinical|Band 3;1 0 0;hhh
"""
INDICATOR1 += """
R2B;D2;trust;all|all;2 1 0;hhh
R2B;D2;trust;all|Band 5;1 1 0;hhh
R2B;D2;trust;all|Band 6;1 0 0;hhh
R2B;D2;trust;clinical|all;2 1 0;hhh
R2B;D2;trust;clinical|Band 5;1 1 0;hhh
R2B;D2;trust;clinical|Band 6;1 0 0;hhh
"""

# ---------------------------------------------------------------------------------------------
# Indicators 2-8: org; snapshot; scope; indicator; breakdown; numerator/denominator + s/h for
# white bme unknown asian black mixed other; then the relative likelihood's s/h and
# interpretation ('-' = NULL) for indicators 2-4 (empty for the survey: no such row).
RATES = """
R1A;D1;trust;2;;0/1h 0/0s 0/0s 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D2;trust;2;;6/12s 5/15s 0/2h 3/8h 2/7h 0/0s 0/0s;s;adverse to bme
R1A;D2;trust;2;excluding_international;6/10s 5/10s 0/2h 3/5h 2/5h 0/0s 0/0s;s;no adverse impact
R1A;D2;mat;2;;1/2h 1/1h 0/0s 0/0s 1/1h 0/0s 0/0s;h;adverse to white
R1A;D2;mat;2;excluding_international;1/2h 1/1h 0/0s 0/0s 1/1h 0/0s 0/0s;h;adverse to white
R1A;D2;mid;2;;1/2h 1/1h 0/0s 0/0s 1/1h 0/0s 0/0s;h;adverse to white
R1A;D2;mid;2;excluding_international;1/2h 1/1h 0/0s 0/0s 1/1h 0/0s 0/0s;h;adverse to white

R1A;D1;trust;3;;0/6s 0/11s 0/5s 0/5s 0/4h 0/1h 0/1h;s;-
R1A;D1;mat;3;;0/4h 0/5h 0/2h 0/3h 0/2h 0/0s 0/0s;h;-
R1A;D1;mid;3;;0/1h 0/3h 0/1h 0/1h 0/2h 0/0s 0/0s;h;-
R1A;D1;neo;3;;0/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D1;obs;3;;0/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D1;sup;3;;0/0h 0/0s 0/1h 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D1;oth;3;;0/1h 0/0s 0/0h 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D2;trust;3;;1/10h 3/10h 1/5h 1/5h 2/3h 0/1h 0/1h;h;adverse to bme
R1A;D2;mat;3;;1/4h 0/4h 1/2h 0/3h 0/1h 0/0s 0/0s;h;adverse to white
R1A;D2;mid;3;;0/1h 0/2h 1/1h 0/1h 0/1h 0/0s 0/0s;h;-
R1A;D2;neo;3;;1/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;adverse to white
R1A;D2;obs;3;;0/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D2;sup;3;;0/0h 0/0s 0/1h 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D2;oth;3;;0/1h 0/0s 0/0h 0/0s 0/0s 0/0s 0/0s;h;-

R1A;D1;trust;4;;0/6s 1/11h 0/5s 0/5s 0/4h 1/1h 0/1h;h;adverse to white
R1A;D1;mat;4;;0/4h 0/5h 0/2h 0/3h 0/2h 0/0s 0/0s;h;-
R1A;D1;mid;4;;0/1h 0/3h 0/1h 0/1h 0/2h 0/0s 0/0s;h;-
R1A;D1;neo;4;;0/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D1;obs;4;;0/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D1;sup;4;;0/0h 0/0s 0/1h 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D1;oth;4;;0/1h 0/0s 0/0h 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D2;trust;4;;8/10s 2/10h 1/5h 1/5h 1/3h 0/1h 0/1h;h;adverse to bme; significant
R1A;D2;mat;4;;3/4h 2/4h 0/2h 1/3h 1/1h 0/0s 0/0s;h;adverse to bme
R1A;D2;mid;4;;1/1h 2/2h 0/1h 1/1h 1/1h 0/0s 0/0s;h;no adverse impact
R1A;D2;neo;4;;1/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D2;obs;4;;1/1h 0/1h 0/0s 0/1h 0/0s 0/0s 0/0s;h;-
R1A;D2;sup;4;;0/0h 0/0s 0/1h 0/0s 0/0s 0/0s 0/0s;h;-
R1A;D2;oth;4;;0/1h 0/0s 0/0h 0/0s 0/0s 0/0s 0/0s;h;-

R1A;D2;trust;5;;5/11s 7/13s 5/6h 6/11h 1/2h 0/0h 0/0h;;
R1A;D2;trust;6;;5/12s 7/13s 0/6h 5/11h 2/2h 0/0h 0/0h;;
R1A;D2;trust;7;;7/11s 6/13s 3/6h 6/11h 0/2h 0/0h 0/0h;;
R1A;D2;trust;8;;0/12s 6/12s 0/6h 5/11h 1/1h 0/0h 0/0h;;
"""
for _scope in ("mat", "mid"):
    RATES += f"""
R1A;D2;{_scope};5;;1/1h 0/1h 0/0h 0/1h 0/0h 0/0h 0/0h;;
R1A;D2;{_scope};6;;1/1h 1/1h 0/0h 1/1h 0/0h 0/0h 0/0h;;
R1A;D2;{_scope};7;;1/1h 0/1h 0/0h 0/1h 0/0h 0/0h 0/0h;;
R1A;D2;{_scope};8;;0/1h 1/1h 0/0h 1/1h 0/0h 0/0h 0/0h;;
"""

# Indicator 9 (D2 only: no board file is dated on or before D1; board_2025-06-30 is after D2):
# breakdown -> (bme members, members, hidden). Workforce bme share at D2: 10 / 25.
BOARD = {"voting": (5, 10, False), "executive": (1, 4, True)}
WORKFORCE_BME_D2 = (10, 25)

# ---------------------------------------------------------------------------------------------
# Representation: census group populations summed by hand from reference/census2021_ts021_ltla.csv
# (README, "Representation"); catchment weights 3 (Hartlepool) and 1 (Middlesbrough).
HARTLEPOOL = {"Asian": 1600, "Black": 445, "Mixed": 671, "White": 89068, "Other": 554}
MIDDLESBROUGH = {"Asian": 15090, "Black": 3816, "Mixed": 3001, "White": 118547, "Other": 3468}
ENGLAND_AND_WALES_PERCENT = {"Asian": 9.3, "Black": 4.0, "Mixed": 2.9, "White": 81.7, "Other": 2.1}
LOCAL = {"Asian": 200, "Black": 100, "Mixed": 50, "White": 600, "Other": 50}
CENSUS_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
# org, snapshot, scope -> headcount per census group (Asian Black Mixed White Other), shown groups
REPRESENTATION = {
    ("R1A", "D1", "trust"): ((5, 4, 1, 6, 1), {"Asian", "White"}),
    ("R1A", "D2", "trust"): ((5, 3, 1, 10, 1), {"Asian", "White"}),
    # 1-4 staff of unknown ethnicity: the known headcount (and so every share) is hidden
    ("R1A", "D1", "maternity_neonatal"): ((3, 2, 0, 4, 0), set()),
    ("R1A", "D2", "maternity_neonatal"): ((3, 1, 0, 4, 0), set()),
    ("R2B", "D2", "trust"): ((1, 0, 0, 2, 0), set()),
}


def reference_shares(organisation: str, reference: str) -> dict[str, float]:
    if reference == "local":
        total = sum(LOCAL.values())
        return {g: LOCAL[g] / total for g in CENSUS_GROUPS}
    if organisation == "R2B":  # no catchment rows: England and Wales
        return {g: ENGLAND_AND_WALES_PERCENT[g] / 100 for g in CENSUS_GROUPS}
    hart, midd = sum(HARTLEPOOL.values()), sum(MIDDLESBROUGH.values())
    return {g: 0.75 * HARTLEPOOL[g] / hart + 0.25 * MIDDLESBROUGH[g] / midd for g in CENSUS_GROUPS}


# ---------------------------------------------------------------------------------------------
# the formulas (CONTRACT section 2, "Uncertainty")


def wilson(x: int, n: int) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
    return centre - half, centre + half


def fraction(x: int, n: int) -> float | None:
    return x / n if n else None


def relative_likelihood(a: int, n1: int, c: int, n2: int) -> tuple[float | None, float | None, float | None]:
    """(a / n1) / (c / n2) with its Katz log interval; NULL value where a rate is undefined or the
    second is 0, NULL interval where any count is 0."""
    if n1 == 0 or n2 == 0 or c == 0:
        return None, None, None
    rl = (a / n1) / (c / n2)
    if a == 0:
        return rl, None, None
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rl, rl * math.exp(-Z * se), rl * math.exp(Z * se)


# ---------------------------------------------------------------------------------------------
# the expected rows


def expected_indicator_rows() -> dict[tuple, dict]:
    rows: dict[tuple, dict] = {}

    def add(org, snap, scope, ind, measure, group, breakdown, **values):
        key = (org, SNAPSHOTS[snap], scope, ind, measure, group, breakdown)
        assert key not in rows, key
        rows[key] = values

    for line in INDICATOR1.strip().splitlines():
        if not line.strip():
            continue
        org, snap, scope, breakdown, counts, flags = line.split(";")
        counts = [int(c) for c in counts.split()]
        for group, count, flag in zip(("white", "bme", "unknown"), counts, flags, strict=True):
            add(
                org, snap, SCOPES[scope], 1, "share", group, breakdown,
                numerator=count, denominator=sum(counts), interpretation=None,
                suppressed=flag == "h", source_period=SNAPSHOTS[snap].isoformat(),
            )  # fmt: skip

    for line in RATES.strip().splitlines():
        if not line.strip():
            continue
        org, snap, scope, ind, breakdown, cells, rl_flag, interpretation = line.split(";", 7)
        ind = int(ind)
        period = WINDOWS[snap] if ind <= 4 else "NSS 2024"
        counts = {}
        for group, cell in zip(RATE_GROUPS, cells.split(), strict=True):
            x, n = (int(v) for v in cell[:-1].split("/"))
            counts[group] = (x, n)
            add(
                org, snap, SCOPES[scope], ind, "rate", group, breakdown,
                numerator=x, denominator=n, interpretation=None,
                suppressed=cell[-1] == "h", source_period=period,
            )  # fmt: skip
        if ind <= 4:
            (wx, wn), (bx, bn) = counts["white"], counts["bme"]
            a, n1, c, n2 = (bx, bn, wx, wn) if ind == 3 else (wx, wn, bx, bn)
            add(
                org, snap, SCOPES[scope], ind, "relative_likelihood",
                "bme_vs_white" if ind == 3 else "white_vs_bme", breakdown,
                numerator=None, denominator=None, rl=relative_likelihood(a, n1, c, n2),
                interpretation=None if interpretation == "-" else interpretation,
                suppressed=rl_flag == "h", source_period=period,
            )  # fmt: skip
        else:
            assert rl_flag == "" and interpretation == ""

    for breakdown, (x, n, hidden) in BOARD.items():
        add(
            "R1A", "D2", "trust", 9, "share", "bme", breakdown,
            numerator=x, denominator=n, interpretation=None, suppressed=hidden, source_period="2025-03-31",
        )  # fmt: skip
        add(
            "R1A", "D2", "trust", 9, "difference", "bme", breakdown,
            numerator=None, denominator=None, difference=x / n - WORKFORCE_BME_D2[0] / WORKFORCE_BME_D2[1],
            interpretation=None, suppressed=hidden, source_period="2025-03-31",
        )  # fmt: skip
    return rows


EXPECTED = expected_indicator_rows()


def expected_values(values: dict) -> tuple[float | None, float | None, float | None]:
    if "rl" in values:
        return values["rl"]
    if "difference" in values:
        return values["difference"], None, None
    x, n = values["numerator"], values["denominator"]
    return (fraction(x, n), *wilson(x, n))


def close(actual: float | None, expected: float | None, tolerance: float) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return abs(actual - expected) <= tolerance


# ---------------------------------------------------------------------------------------------
# the run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, prefect_server: str):
    work = tmp_path_factory.mktemp("indicator-inbox")
    inbox = work / "inbox"
    shutil.copytree(FIXTURE, inbox)
    result = run_wres(["run", "--inbox", str(inbox)], cwd=work, prefect_api=prefect_server)
    return work, result


@pytest.fixture(scope="module")
def warehouse(run):
    work, result = run
    assert result.returncode == 0, result.stderr[-4000:]
    con = duckdb.connect(str(work / "data" / "warehouse" / "wres.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def indicator_rows(warehouse) -> dict[tuple, dict]:
    cursor = warehouse.execute("select * from marts.wres_indicators")
    names = [d[0] for d in cursor.description]
    rows = {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        key = tuple(row[c] for c in INDICATOR_KEY)
        assert key not in rows, f"duplicate row {key}"
        rows[key] = row
    return rows


def test_every_file_loads_and_the_run_exits_0(run, warehouse):
    work, result = run
    assert result.returncode == 0, result.stderr[-4000:]
    statuses = dict(warehouse.execute("select name, status from ops.loaded_files").fetchall())
    assert statuses == {p.name: "loaded" for p in FIXTURE.iterdir()}


def test_the_warehouse_holds_exactly_the_expected_rows(indicator_rows):
    missing = sorted(set(EXPECTED) - set(indicator_rows), key=str)
    unexpected = sorted(set(indicator_rows) - set(EXPECTED), key=str)
    assert (missing, unexpected) == ([], [])


@pytest.mark.parametrize("key", sorted(EXPECTED, key=str), ids=lambda k: "/".join(str(v) for v in k))
def test_indicator_row(indicator_rows, key):
    expected = EXPECTED[key]
    actual = indicator_rows.get(key)
    assert actual is not None, "row missing"
    assert (actual["numerator"], actual["denominator"]) == (expected["numerator"], expected["denominator"])
    value, low, high = expected_values(expected)
    assert close(actual["value"], value, 1e-9), (actual["value"], value)
    assert close(actual["ci_low"], low, 1e-6), (actual["ci_low"], low)
    assert close(actual["ci_high"], high, 1e-6), (actual["ci_high"], high)
    assert actual["interpretation"] == expected["interpretation"]
    assert actual["suppressed"] is expected["suppressed"]
    assert actual["source_period"] == expected["source_period"]


def test_an_organisation_without_catchment_rows_is_warned_about(run, warehouse):
    _, result = run
    output = (result.stdout + result.stderr).lower()
    assert (
        "england and wales" in output
        and "r2b" in output
        and "r1a" not in output.split("no catchment")[1][:40]
    )
    [(message,)] = warehouse.execute(
        "select message from ops.validation_results where check_name = 'no_catchment'"
    ).fetchall()
    assert message.startswith("No catchment for R2B:")


def test_no_value_is_nan(warehouse):
    nans = warehouse.execute(
        "select count(*) from marts.wres_indicators where isnan(value) or isnan(ci_low) or isnan(ci_high)"
    ).fetchone()
    assert nans == (0,)


# ---------------------------------------------------------------------------------------------
# representation


def expected_representation() -> dict[tuple, dict]:
    rows = {}
    for (org, snap, scope), (counts, shown) in REPRESENTATION.items():
        known = sum(counts)
        for reference in ("census2021", "local") if org == "R1A" else ("census2021",):
            shares = reference_shares(org, reference)
            for group, count in zip(CENSUS_GROUPS, counts, strict=True):
                share = count / known
                low, high = wilson(count, known)
                ref = shares[group]
                rows[(org, SNAPSHOTS[snap], scope, reference, group)] = {
                    "headcount": count,
                    "workforce_share": share,
                    "reference_share": ref,
                    "ratio": share / ref,
                    "ci_low": low / ref,
                    "ci_high": high / ref,
                    "suppressed": group not in shown,
                }
    return rows


EXPECTED_REPRESENTATION = expected_representation()


@pytest.fixture(scope="module")
def representation_rows(warehouse) -> dict[tuple, dict]:
    cursor = warehouse.execute("select * from marts.representation")
    names = [d[0] for d in cursor.description]
    rows = {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        rows[tuple(row[c] for c in names[:5])] = row
    return rows


def test_representation_holds_exactly_the_expected_rows(representation_rows):
    assert sorted(representation_rows, key=str) == sorted(EXPECTED_REPRESENTATION, key=str)


@pytest.mark.parametrize(
    "key", sorted(EXPECTED_REPRESENTATION, key=str), ids=lambda k: "/".join(str(v) for v in k)
)
def test_representation_row(representation_rows, key):
    expected, actual = EXPECTED_REPRESENTATION[key], representation_rows[key]
    assert actual["headcount"] == expected["headcount"]
    for column in ("workforce_share", "reference_share", "ratio"):
        assert close(actual[column], expected[column], 1e-9), column
    for column in ("ci_low", "ci_high"):
        assert close(actual[column], expected[column], 1e-6), column
    assert actual["suppressed"] is expected["suppressed"]


# ---------------------------------------------------------------------------------------------
# the publication


# every published folder: (folder under data/outputs, organisation, snapshot). Two organisations,
# so each has its own subfolder; a folder's CSVs hold its snapshot's rows.
PUBLISHED = [("latest", "R1A", "D2"), ("latest", "R2B", "D2"), ("2024-03-31", "R1A", "D1")]
BLANKED = ("numerator", "denominator", "value", "ci_low", "ci_high", "interpretation")


def published(run, folder: str, organisation: str, name: str) -> list[dict[str, str]]:
    work, _ = run
    path = work / "data" / "outputs" / folder / organisation / name
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(("folder", "organisation", "snap"), PUBLISHED)
def test_published_indicators_blank_exactly_the_hidden_cells(run, folder, organisation, snap):
    rows = published(run, folder, organisation, "wres_indicators.csv")
    seen = set()
    for row in rows:
        key = (
            row["organisation_code"], date.fromisoformat(row["snapshot_date"]), row["scope"],
            int(row["indicator"]), row["measure"], row["ethnic_group"], row["breakdown"],
        )  # fmt: skip
        seen.add(key)
        expected = EXPECTED[key]
        blanks = {c for c in BLANKED if row[c] == ""}
        assert row["suppressed"] == ("true" if expected["suppressed"] else "false"), key
        if expected["suppressed"]:
            assert blanks == set(BLANKED), key
            continue
        if expected["numerator"] is not None:
            counts = (int(row["numerator"]), int(row["denominator"]))
            assert counts == (expected["numerator"], expected["denominator"]), key
        value, low, high = expected_values(expected)
        for column, wanted, tolerance in (
            ("value", value, 1e-9),
            ("ci_low", low, 1e-6),
            ("ci_high", high, 1e-6),
        ):
            shown = float(row[column]) if row[column] else None
            assert close(shown, wanted, tolerance), (key, column)
        assert (row["interpretation"] or None) == expected["interpretation"], key
    assert seen == {k for k in EXPECTED if k[0] == organisation and k[1] == SNAPSHOTS[snap]}


@pytest.mark.parametrize(("folder", "organisation", "snap"), PUBLISHED)
def test_published_representation_blanks_exactly_the_hidden_cells(run, folder, organisation, snap):
    rows = published(run, folder, organisation, "representation.csv")
    wanted = {
        k: v for k, v in EXPECTED_REPRESENTATION.items() if k[0] == organisation and k[1] == SNAPSHOTS[snap]
    }
    keys = set()
    for row in rows:
        key = (row["organisation_code"], date.fromisoformat(row["snapshot_date"]), row["scope"],
               row["reference_population"], row["ethnic_group"])  # fmt: skip
        keys.add(key)
        expected = wanted[key]
        hidden_columns = ("headcount", "workforce_share", "ratio", "ci_low", "ci_high")
        assert row["suppressed"] == ("true" if expected["suppressed"] else "false"), key
        # the reference share stays: public census data
        assert close(float(row["reference_share"]), expected["reference_share"], 1e-9)
        if expected["suppressed"]:
            assert all(row[c] == "" for c in hidden_columns), key
        else:
            assert int(row["headcount"]) == expected["headcount"]
            for column in ("workforce_share", "ratio", "ci_low", "ci_high"):
                assert close(float(row[column]), expected[column], 1e-6), (key, column)
    assert keys == set(wanted)
