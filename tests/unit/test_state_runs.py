"""The state's record of runs: a run that never said how it ended is marked interrupted when the
next one starts (a run killed mid-ingest must not read 'running' for ever)."""

from __future__ import annotations

from datetime import datetime

from wres.state import StateStore

NOW = datetime(2025, 4, 7, 7, 0)


def test_a_run_left_running_is_interrupted_when_the_next_starts_and_finished_runs_are_kept(tmp_path):
    with StateStore(tmp_path) as store:
        store.start_run("r1", NOW)
        store.finish_run("r1", now=NOW, status="completed", exit_code=0, counts={})
        store.start_run("r2", NOW)  # killed: never finished
    with StateStore(tmp_path) as store:
        store.start_run("r3", NOW)
        runs = store.con.execute("select run_id, status from runs order by run_id").fetchall()
    assert runs == [("r1", "completed"), ("r2", "interrupted"), ("r3", "running")]


def test_a_run_killed_while_building_or_publishing_is_interrupted_not_completed(tmp_path):
    with StateStore(tmp_path) as store:
        store.start_run("r1", NOW)
        store.finish_run("r1", now=NOW, status="publishing", exit_code=0, counts={})
        store.complete_run("r1", NOW)
        store.start_run("r2", NOW)
        store.finish_run("r2", now=NOW, status="publishing", exit_code=1, counts={})  # then killed
    with StateStore(tmp_path) as store:
        store.start_run("r3", NOW)
        store.complete_run("r2", NOW)  # too late: only a run still publishing completes
        runs = store.con.execute("select run_id, status, exit_code from runs order by run_id").fetchall()
    assert runs == [("r1", "completed", 0), ("r2", "interrupted", 1), ("r3", "running", None)]
