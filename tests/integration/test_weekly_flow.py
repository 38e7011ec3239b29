"""The real weekly flow, run as users run it (the ``wres`` command in a subprocess) against a real
Prefect server on loopback, on a small hand-built inbox."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_ROOT, run_wres, wres_env

pytestmark = pytest.mark.integration

CHECK_WAREHOUSE = REPO_ROOT.parent / "shared" / "tools" / "check_warehouse.py"

STAFF = """\
organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,ethnic_origin,assignment_category,is_primary_assignment,fte
RXX,1001,1001-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 6,A White - British,Permanent,Y,1
RXX,1002,1002-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 5,N Black or Black British - African,Permanent,Y,1
RXX,1003,1003-1,Administrative and Clerical,Clerk,Finance,Band 3,H,Permanent,Y,0.8
RXX,1004,1004-1,Medical and Dental,Consultant,Obstetrics,Consultant,Z,Permanent,Y,1
RXX,1005,1005-1,Nursing and Midwifery Registered,Staff Nurse,Ward 1,Band 5,A,Bank,N,0.5
RXX,1006,1006-1,Nursing and Midwifery Registered,Staff Nurse,Ward 1,Band 5,A,Permanent,Y,1
RXX,1007,1007-1,Nursing and Midwifery Registered,Staff Nurse,Ward 2,Band 6,C,Permanent,Y,1
RXX,1008,1008-1,Allied Health Professionals,Physiotherapist,Therapies,Band 6,A,Permanent,Y,1
"""
# the same people as an ESR export: title rows above ESR headers, semicolons, Windows-1252
STAFF_ESR = (
    "Staff in Post report\r\nRun date: 01/04/2024\r\n\r\n"
    "Org Code;Employee Number;Assignment Number;Staff Group;Job Role;Area of Work;Pay Band;Ethnic Origin;Primary\r\n"
    "RXX;1001;1001-1;Nursing and Midwifery Registered;Midwife;Maternity Services;Band 5;A White - British;Y\r\n"
    "RXX;1002;1002-1;Nursing and Midwifery Registered;Midwife;Maternity Services;Band 5;N;Y\r\n"
    "RXX;1003;1003-1;Administrative and Clerical;Clerk;Finance – Ó;Band 3;H;Y\r\n"
    "RXX;1004;1004-1;Medical and Dental;Consultant;Obstetrics;Consultant;Z;Y\r\n"
    "RXX;1006;1006-1;Nursing and Midwifery Registered;Staff Nurse;Ward 1;Band 5;A;Y\r\n"
    "RXX;1007;1007-1;Nursing and Midwifery Registered;Staff Nurse;Ward 2;Band 5;C;Y\r\n"
).encode("cp1252")
RECRUITMENT = """\
organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date
RXX,A1,A,Y,Y,2024-05-01
RXX,A2,N,Y,N,01/06/2024
RXX,A3,A,Yes,No,2024-07-01
RXX,A4,H,no,no,
"""
BOARD = """\
organisation_code,member_id,ethnic_origin,voting,executive
RXX,M1,A,Y,Y
RXX,M2,H,Y,N
RXX,M3,A,N,Y
"""


def make_inbox(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "staff_in_post_2025-03-31.csv").write_text(STAFF, encoding="utf-8")
    (folder / "Staff_In_Post_2024-03-31.csv").write_bytes(STAFF_ESR)
    (folder / "recruitment_2025-03-31.csv").write_text(RECRUITMENT, encoding="utf-8-sig")
    (folder / "board_2025-03-31.csv").write_text(BOARD, encoding="utf-8")
    (folder / "notes.txt").write_text("not an extract", encoding="utf-8")
    return folder


def snapshot_of(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def table_digest(warehouse: Path, schemas: tuple[str, ...] = ("staging", "marts")) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in "
            f"({', '.join(repr(s) for s in schemas)}) order by 1, 2"
        ).fetchall()
        digests = {}
        for schema, table in tables:
            rows = con.execute(f"select * from {schema}.{table} order by all").fetchall()
            digests[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests
    finally:
        con.close()


def publication_digest(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".versions" not in p.relative_to(out).parts[:1]
    } | {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for link in sorted(out.iterdir())
        if link.is_symlink()
        for p in sorted(link.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, prefect_server: str):
    work = tmp_path_factory.mktemp("weekly")
    inbox = make_inbox(work / "inbox")
    before = snapshot_of(inbox)
    result = run_wres(["run", "--inbox", str(inbox)], cwd=work, prefect_api=prefect_server)
    return work, inbox, before, result


def test_first_run_loads_every_file_and_exits_0(first_run):
    work, inbox, before, result = first_run
    assert result.returncode == 0, result.stderr[-4000:]
    warehouse = work / "data" / "warehouse" / "wres.duckdb"
    con = duckdb.connect(str(warehouse), read_only=True)
    files = dict(con.execute("select name, status from ops.loaded_files").fetchall())
    assert files == {
        "staff_in_post_2025-03-31.csv": "loaded",
        "Staff_In_Post_2024-03-31.csv": "loaded",
        "recruitment_2025-03-31.csv": "loaded",
        "board_2025-03-31.csv": "loaded",
    }
    # 8 assignments in 2025 (one bank), 6 in the ESR export of 2024
    counts = dict(
        con.execute(
            "select snapshot_date::varchar, count(*) from staging.staff_in_post group by 1"
        ).fetchall()
    )
    assert counts == {"2025-03-31": 8, "2024-03-31": 6}
    # the Windows-1252 byte for Ó came through as Ó
    assert con.execute(
        "select count(*) from staging.staff_in_post where area_of_work = 'Finance – Ó'"
    ).fetchone() == (1,)
    # identifiers are pseudonyms: no raw employee number anywhere in staging
    raw = con.execute(
        "select count(*) from staging.staff_in_post where employee_id::varchar in ('1001', '1002')"
    ).fetchone()
    assert raw == (0,)
    assert con.execute("select distinct typeof(employee_id) from staging.staff_in_post").fetchall() == [
        ("UUID",)
    ]
    con.close()
    assert "notes.txt" in result.stderr + result.stdout


def test_data_docs_are_written_beside_the_default_warehouse(first_run):
    """CONTRACT section 2: Great Expectations' data docs beside the warehouse (a relative path here)."""
    work, *_ = first_run
    docs = work / "data" / "warehouse" / "data-docs"
    assert (docs / "index.html").is_file()
    assert len(list((docs / "validations").rglob("*.html"))) == 4  # one page per validated file


def test_inbox_is_never_modified(first_run):
    work, inbox, before, result = first_run
    assert snapshot_of(inbox) == before


def test_warehouse_passes_the_contract_shape_check(first_run):
    work, *_ = first_run
    if not CHECK_WAREHOUSE.exists():
        pytest.skip(f"{CHECK_WAREHOUSE} not beside the repository")
    check = subprocess.run(
        [sys.executable, str(CHECK_WAREHOUSE), str(work / "data/warehouse/wres.duckdb")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout


def test_second_run_changes_nothing_but_ops_while_a_reader_holds_the_warehouse(first_run, prefect_server):
    work, inbox, before, result = first_run
    warehouse = work / "data" / "warehouse" / "wres.duckdb"
    out = work / "data" / "outputs"
    tables_before = table_digest(warehouse)
    published_before = publication_digest(out)
    assert published_before, "the first run published nothing"
    reader_script = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(warehouse)!r}, read_only=True)
        print("open", flush=True)
        n = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            n += con.execute("select count(*) from marts.wres_indicators").fetchone()[0] > 0
            if sys.stdin.readline().strip() == "stop":
                break
        print("queries", n, flush=True)
    """)
    reader = subprocess.Popen(
        [sys.executable, "-c", reader_script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout.readline().strip() == "open"
    reader.stdin.write("go\n")
    reader.stdin.flush()
    second = run_wres(["run", "--inbox", str(inbox)], cwd=work, prefect_api=prefect_server)
    reader.stdin.write("go\nstop\n")
    reader.stdin.flush()
    output, _ = reader.communicate(timeout=60)
    assert second.returncode == 0, second.stderr[-4000:]
    assert reader.returncode == 0 and output.strip() == "queries 3"
    assert table_digest(warehouse) == tables_before
    assert publication_digest(out) == published_before
    con = duckdb.connect(str(warehouse), read_only=True)
    runs = con.execute("select count(*), count(*) filter (where exit_code = 0) from ops.runs").fetchone()
    outcomes = dict(
        con.execute(
            "select name, outcome from ops.run_files where run_id = (select max(run_id) from ops.runs)"
        ).fetchall()
    )
    con.close()
    assert runs == (2, 2)
    assert outcomes["staff_in_post_2025-03-31.csv"] == "unchanged"


def test_same_bytes_under_another_name_load_once(tmp_path, prefect_server):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "board_2025-03-31.csv").write_text(BOARD, encoding="utf-8")
    (inbox / "board_2025-03-31 (copy).csv").write_text(BOARD, encoding="utf-8")
    (inbox / "BOARD_2025-03-31.CSV").write_text(BOARD, encoding="utf-8")
    (inbox / "staff_in_post_2025-03-31.csv").write_text(STAFF, encoding="utf-8")
    result = run_wres(["run", "--inbox", str(inbox)], cwd=tmp_path, prefect_api=prefect_server)
    assert result.returncode == 0, result.stderr[-4000:]
    con = duckdb.connect(str(tmp_path / "data/warehouse/wres.duckdb"), read_only=True)
    assert con.execute("select count(*) from staging.board").fetchone() == (3,)
    assert con.execute("select count(*) from ops.loaded_files where kind = 'board'").fetchone() == (1,)
    outcomes = sorted(
        r[0] for r in con.execute("select outcome from ops.run_files where kind = 'board'").fetchall()
    )
    con.close()
    assert outcomes == ["duplicate", "loaded"]


def test_usage_errors_exit_2(tmp_path):
    missing = run_wres(["run", "--inbox", str(tmp_path / "nowhere")], cwd=tmp_path, prefect_api=None)
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr and "does not exist" in missing.stderr
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    not_a_folder = run_wres(["run", "--inbox", str(tmp_path / "a-file")], cwd=tmp_path, prefect_api=None)
    assert not_a_folder.returncode == 2
    assert "a-file is not a folder" in not_a_folder.stderr
    (tmp_path / "inbox").mkdir()
    short_key = run_wres(
        ["run", "--inbox", str(tmp_path / "inbox")],
        cwd=tmp_path,
        prefect_api=None,
        WRES_PSEUDONYMISATION_KEY="secret",
    )
    assert short_key.returncode == 2
    assert "WRES_PSEUDONYMISATION_KEY holds fewer than 32 characters" in short_key.stderr
    assert "Traceback" not in short_key.stderr
    (tmp_path / "bad.toml").write_text("[paths\ninbox = 1", encoding="utf-8")
    bad = run_wres(["run", "--config", str(tmp_path / "bad.toml")], cwd=tmp_path, prefect_api=None)
    assert bad.returncode == 2
    assert "bad.toml" in bad.stderr
    (tmp_path / "typo.toml").write_text('[paths]\ninbx = "x"\n', encoding="utf-8")
    typo = run_wres(["run", "--config", str(tmp_path / "typo.toml")], cwd=tmp_path, prefect_api=None)
    assert typo.returncode == 2
    assert "inbx" in typo.stderr


def test_settings_and_options_that_cannot_work_exit_2_before_the_run(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "board_2025-03-31.csv").write_text(
        "organisation_code,member_id,ethnic_origin,voting,executive\nRXX,M1,A,Y,Y\n", encoding="utf-8"
    )
    cases = {  # settings file -> words the message must hold
        '[validation.severity]\nfte_out_of_rnage = "warning"\n': "fte_out_of_rnage",
        "[disclosure]\nmin_count = -5\n": "min_count = -5",
        'publication_workers = "two"\n': "publication_workers",
    }
    for number, (text, words) in enumerate(cases.items()):
        (tmp_path / f"{number}.toml").write_text(text, encoding="utf-8")
        result = run_wres(
            ["run", "--inbox", "inbox", "--config", f"{number}.toml"], cwd=tmp_path, prefect_api=None
        )
        assert result.returncode == 2, (text, result.stderr[-2000:])
        assert words in result.stderr and "Traceback" not in result.stderr, text
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    for option, path in (
        ("--state", "a-file"),
        ("--warehouse", "a-file/wres.duckdb"),
        ("--out", "a-file/out"),
    ):
        result = run_wres(["run", "--inbox", "inbox", option, path], cwd=tmp_path, prefect_api=None)
        assert result.returncode == 2, (option, result.stderr[-2000:])
        assert "a-file" in result.stderr and option in result.stderr and "Traceback" not in result.stderr
    demo = run_wres(["demo", "--staff", "0"], cwd=tmp_path, prefect_api=None)
    assert demo.returncode == 2 and "--staff" in demo.stderr
    assert not (tmp_path / "data" / "demo-inbox").exists()


def test_aliases_with_a_wrong_target_are_usage_errors(tmp_path):
    (tmp_path / "inbox").mkdir()
    cases = {
        "ethnicity.toml": (
            '[aliases.ethnicity]\n"White Scottish" = "Q"\n',
            "'Q' is not an NHS ethnic category",
        ),
        "band.toml": ('[aliases.band]\n"B5" = "Band 55"\n', "'Band 55' is not a band"),
        "headers.toml": (
            '[aliases.headers]\n"Staff No" = "employee_number"\n',
            '"Staff No" = "employee_number"',
        ),
    }
    for name, (text, words) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = run_wres(["run", "--inbox", "inbox", "--config", name], cwd=tmp_path, prefect_api=None)
        assert result.returncode == 2, (name, result.stderr[-2000:])
        assert words in result.stderr, name


def test_an_empty_inbox_publishes_an_empty_warehouse(tmp_path, prefect_server):
    (tmp_path / "inbox").mkdir()
    result = run_wres(["run", "--inbox", "inbox"], cwd=tmp_path, prefect_api=prefect_server)
    assert result.returncode == 0, result.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "data/warehouse/wres.duckdb"), read_only=True)
    assert con.execute("select count(*) from marts.wres_indicators").fetchone() == (0,)
    assert con.execute("select count(*) from ops.runs").fetchone() == (1,)
    con.close()
    assert "nothing to publish" in result.stderr + result.stdout


def test_a_second_run_on_a_state_in_use_exits_2_and_changes_nothing(tmp_path, prefect_server):
    # a real second process holds the state folder's run lock, as a run in progress does
    make_inbox(tmp_path / "inbox")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom wres.run_lock import exclusive_run\n"
            "with exclusive_run(sys.argv[1]):\n    print('holding', flush=True)\n    time.sleep(600)\n",
            str(tmp_path / "data" / "state"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = run_wres(["run", "--inbox", "inbox"], cwd=tmp_path, prefect_api=prefect_server)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"another run is using the state folder data/state (process {holder.pid}," in result.stderr
    assert not (tmp_path / "data" / "warehouse" / "wres.duckdb").exists()
    assert not (tmp_path / "data" / "outputs" / "latest").exists()


def test_internal_error_exits_3_and_names_the_log(tmp_path, prefect_server):
    inbox = make_inbox(tmp_path / "inbox")
    # a folder where the warehouse file should go: the swap cannot succeed
    blocked = tmp_path / "blocked.duckdb"
    (blocked / "something").mkdir(parents=True)
    result = run_wres(
        ["run", "--inbox", str(inbox), "--warehouse", str(blocked)], cwd=tmp_path, prefect_api=prefect_server
    )
    assert result.returncode == 3, result.stderr[-3000:]
    assert "log" in result.stderr and "data/state/logs" in result.stderr
    # the new warehouse that could not be put in place is not left lying about
    assert sorted(p.name for p in tmp_path.iterdir() if "building" in p.name) == []


def test_first_run_on_a_fresh_machine_needs_no_prefect_server(tmp_path):
    """No PREFECT_API_URL and an empty PREFECT_HOME: the temporary server starts (slowly) and the run succeeds."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "staff_in_post_2025-03-31.csv").write_text(STAFF, encoding="utf-8")
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home")}
    saved = os.environ.pop("PREFECT_API_URL", None)
    try:
        started = time.monotonic()
        result = run_wres(["run", "--inbox", str(inbox)], cwd=tmp_path, prefect_api=None, **env)
    finally:
        if saved is not None:
            os.environ["PREFECT_API_URL"] = saved
    assert result.returncode == 0, result.stderr[-4000:]
    assert "temporary local server" in result.stderr
    assert time.monotonic() - started < 300
    assert (tmp_path / "data/warehouse/wres.duckdb").exists()


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found |= {int(child)} | _descendants(int(child))
    return found


def _running(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _run_stopped_by(tmp_path: Path, stop: signal.Signals) -> tuple[int, list[int], str]:
    """Start ``wres run`` with no Prefect server configured, send ``stop`` to it once its ingest has
    begun; return its exit status, its descendants still running 30 s later, and its output."""
    make_inbox(tmp_path / "inbox")
    env = wres_env(None, PREFECT_HOME=str(tmp_path / "prefect-home"))
    env.pop("PREFECT_API_URL", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "wres", "run", "--inbox", "inbox"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    output = []
    for line in run.stderr:  # the ingest has begun: the run's Prefect server is up
        output.append(line)
        if "file(s) of known kinds" in line:
            break
    children = _descendants(run.pid)
    assert children, "".join(output)
    run.send_signal(stop)
    output.append(run.stderr.read())
    status = run.wait(timeout=120)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.5)
    return status, [pid for pid in children if _running(pid)], "".join(output)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_ends_a_run_and_leaves_no_process_behind(tmp_path):
    """A service manager's SIGTERM: the run ends, the Prefect server it started ends with it, and
    the run's record is not left 'running'. (How it ends depends on where the signal lands: Prefect
    turns it into a crash of the flow, DuckDB into "Query interrupted" inside a query.)"""
    status, left, output = _run_stopped_by(tmp_path, signal.SIGTERM)
    assert status in (0, 3, 130), output[-3000:]
    assert left == []
    con = duckdb.connect(str(tmp_path / "data" / "state" / "state.duckdb"), read_only=True)
    try:
        [(recorded,)] = con.execute("select status from runs").fetchall()
    finally:
        con.close()
    assert recorded in ("completed", "interrupted", "failed")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal")
def test_a_run_killed_outright_leaves_no_prefect_server_behind(tmp_path):
    # SIGKILL runs no clean-up: the server started for the run ends by its parent-death signal
    status, left, output = _run_stopped_by(tmp_path, signal.SIGKILL)
    assert status == -signal.SIGKILL, output[-3000:]
    assert left == []


def test_an_older_duckdb_client_reads_the_warehouse(first_run, tmp_path):
    """CONTRACT section 3: DuckDB clients from 1.2 on read the warehouse (analysts' CLIs and R lag)."""
    work, *_ = first_run
    venv = tmp_path / "duckdb12"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin/python"),
            "duckdb==1.2.2",
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"could not install duckdb 1.2.2: {installed.stderr[-2000:]}")
        pytest.skip("duckdb 1.2.2 could not be installed here")
    query = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__, con.execute('select count(*) from marts.wres_indicators').fetchone()[0], "
        "con.execute(\"select count(*) from duckdb_tables() where schema_name = 'ops'\").fetchone()[0])"
    )
    result = subprocess.run(
        [str(venv / "bin/python"), "-c", query, str(work / "data/warehouse/wres.duckdb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    version, rows, ops_tables = result.stdout.split()
    assert version == "1.2.2" and int(rows) > 0 and int(ops_tables) >= 4
