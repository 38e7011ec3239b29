"""The run's warning about organisations compared with England and Wales (CONTRACT section 2,
Representation): those with staff and no catchment rows, except where a
``reference_census2021.csv`` gives their census population instead.

Built without Prefect, by the library function the flow's ingest task wraps (``wres.pipeline.ingest``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wres.config import Settings
from wres.pipeline import ingest, new_run_id
from wres.state import StateStore

pytestmark = pytest.mark.integration

STAFF = """\
organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,ethnic_origin
RXX,1001,1001-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 6,A
RYY,2001,2001-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 5,N
RZZ,3001,3001-1,Administrative and Clerical,Clerk,Finance,Band 3,H
"""
CATCHMENT = "organisation_code,area_code,weight\nRZZ,E08000025,1\n"
CENSUS_FOR_RXX = "organisation_code,ethnic_group,population\nRXX,White,700\nRXX,Asian,300\n"


def no_catchment_message(inbox: Path, tmp_path: Path) -> str | None:
    settings = Settings().with_paths(inbox=inbox, state=tmp_path / "state")
    with StateStore(settings.paths.state) as store:
        result = ingest(store, settings, new_run_id())
    warnings = [r.message for report in result.reports for r in report.results if r.check == "no_catchment"]
    return warnings[0] if warnings else None


def test_only_organisations_without_catchment_or_census_file_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("WRES_PSEUDONYMISATION_KEY", "k" * 40)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "staff_in_post_2025-03-31.csv").write_text(STAFF, encoding="utf-8")
    (inbox / "catchment.csv").write_text(CATCHMENT, encoding="utf-8")
    (inbox / "reference_census2021.csv").write_text(CENSUS_FOR_RXX, encoding="utf-8")
    message = no_catchment_message(inbox, tmp_path)
    assert message is not None and message.startswith("No catchment for RYY:")
    # another reference population is not the census: it does not stand for a catchment
    (inbox / "reference_census2021.csv").rename(inbox / "reference_births.csv")
    message = no_catchment_message(inbox, tmp_path)
    assert message is not None and message.startswith("No catchment for RXX, RYY:")
