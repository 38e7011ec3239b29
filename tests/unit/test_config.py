"""Settings: the shipped example holds the defaults, typos are refused, options win over the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from wres.config import Settings, load_settings, settings_from_dict
from wres.errors import ConfigError


def test_the_example_file_states_the_defaults():
    example = load_settings(REPO_ROOT / "wres.example.toml")
    defaults = Settings()
    assert example.paths == defaults.paths
    assert example.interpretation == defaults.interpretation
    assert example.disclosure == defaults.disclosure
    assert example.validation == defaults.validation
    assert example.maternity_terms == defaults.maternity_terms
    assert example.publication_workers == defaults.publication_workers
    assert example.header_aliases == defaults.header_aliases


def test_no_settings_file_means_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings() == Settings()


def test_a_named_settings_file_that_is_missing_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    "data, words",
    [
        ({"paths": {"inbx": "x"}}, "inbx"),
        ({"disclosure": {"min_count": "five"}}, "expected a whole number"),
        ({"disclosure": {"min_count": 5.5}}, "min_count: expected a whole number"),
        ({"disclosure": {"min_count": True}}, "min_count: expected a whole number"),
        ({"interpretation": {"lower": "0.8"}}, "lower: expected a number"),
        ({"paths": {"inbox": 5}}, "inbox: expected a folder or file name"),
        ({"delivery_folder": 5}, "delivery_folder: expected a folder or file name"),
        ({"publication_workers": "two"}, "publication_workers: expected a whole number"),
        ({"organisation_code": 123}, "organisation_code: expected a text"),
        ({"maternity": {"terms": ["midwi"], "exclude": ["x"]}}, "expected only terms"),
        ({"survey_questions": {"2020": {"q99": "q13a"}}}, "unknown: q99"),
        ({"survey_questions": {"twenty": {"q14a": "q13a"}}}, "twenty"),
        ({"aliases": {"colours": {}}}, "colours"),
        ({"maternity": {"terms": []}}, "terms"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_typos_and_wrong_types_are_refused(data, words):
    with pytest.raises(ConfigError, match=words):
        settings_from_dict(data)


@pytest.mark.parametrize(
    "data, words",
    [  # the right types, values that cannot be meant: each would quietly switch a rule off
        ({"disclosure": {"min_count": -5}}, "min_count = -5: must be 1 or more"),
        ({"disclosure": {"min_count": 0}}, "min_count = 0"),
        ({"disclosure": {"survey_min_denominator": -1}}, "survey_min_denominator = -1"),
        ({"disclosure": {"round_to": -5}}, "round_to = -5"),
        ({"interpretation": {"lower": 2.0, "upper": 0.5}}, "need 0 < lower < upper"),
        ({"interpretation": {"lower": 0}}, "need 0 < lower < upper"),
        ({"validation": {"unknown_ethnicity_max_share": -0.1}}, "a share, from 0 to 1"),
        ({"validation": {"unknown_ethnicity_max_share": 10}}, "a share, from 0 to 1"),
        ({"validation": {"staff_count_max_change": -0.2}}, "staff_count_max_change = -0.2"),
        ({"validation": {"fte_min": 2.0, "fte_max": 1.5}}, "need 0 <= fte_min < fte_max"),
        ({"validation": {"earliest_date": "yesterday"}}, "expected YYYY-MM-DD"),
        ({"mail": {"port": -1}}, "a port number"),
        ({"mail": {"retries": -1}}, "retries = -1"),
        ({"publication_workers": -3}, "publication_workers = -3"),
        ({"organisation_code": " "}, "organisation_code = ' ': the organisation"),
        ({"organisation_code": "../RXX"}, "it names a folder"),
    ],
)
def test_values_that_cannot_be_meant_are_refused(data, words):
    with pytest.raises(ConfigError, match=words):
        settings_from_dict(data)


def test_values_at_their_bounds_are_accepted():
    settings = settings_from_dict(
        {
            "disclosure": {"min_count": 1, "survey_min_denominator": 0, "round_to": 0},
            "interpretation": {"lower": 0.5, "upper": 2},
            "validation": {"unknown_ethnicity_max_share": 1, "fte_min": 0, "fte_max": 2},
            "publication_workers": 1,
            "survey_questions": {"2020": {"q14a": "q13a"}},
        }
    )
    assert (settings.disclosure.min_count, settings.interpretation.upper, settings.validation.fte_max) == (
        1,
        2.0,
        2.0,
    )
    # the year's table replaces the question it names; the others keep 2020's national columns
    assert settings.survey_columns(2020) == {
        "q14a": "q13a",
        "q14b": "q13b",
        "q14c": "q13c",
        "q15": "q14",
        "q16b": "q15b",
    }


def test_options_win_over_the_file_and_the_file_over_the_defaults(tmp_path):
    (tmp_path / "wres.toml").write_text(
        '[paths]\ninbox = "from-file"\nout = "out-from-file"\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path / "wres.toml").with_paths(inbox=Path("from-option"), out=None)
    assert settings.paths.inbox == Path("from-option")
    assert settings.paths.out == Path("out-from-file")
    assert settings.paths.state == Path("data/state")


def test_added_aliases_keep_the_esr_ones():
    settings = settings_from_dict({"aliases": {"headers": {"Their Header": "ethnic_origin"}}})
    assert settings.header_aliases["Their Header"] == "ethnic_origin"
    assert settings.header_aliases["Ethnic Origin"] == "ethnic_origin"


def test_survey_questions_default_by_year_and_can_be_set():
    assert Settings().survey_columns(2020)["q16b"] == "q15b"
    assert Settings().survey_columns(2024)["q16b"] == "q16b"
    custom = settings_from_dict(
        {
            "survey_questions": {
                "2026": {"q14a": "q13a", "q14b": "q13b", "q14c": "q13c", "q15": "q14", "q16b": "q15b"}
            }
        }
    )
    assert custom.survey_columns(2026)["q15"] == "q14"


def test_a_partial_year_table_keeps_the_years_other_questions():
    settings = settings_from_dict({"survey_questions": {"2020": {"q14a": "Patients2020"}}})
    assert settings.survey_columns(2020) == {
        "q14a": "Patients2020",
        "q14b": "q13b",
        "q14c": "q13c",
        "q15": "q14",
        "q16b": "q15b",
    }
    assert settings.survey_columns(2024)["q14a"] == "q14a"


def test_a_settings_path_that_is_a_folder_is_a_config_error(tmp_path):
    (tmp_path / "wres.toml").mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        load_settings(tmp_path / "wres.toml")


@pytest.mark.parametrize(
    ("aliases", "words"),
    [
        ({"headers": {"Harassed by patients": "q14a"}}, "[survey_questions]"),
        ({"ethnicity": {"White Scottish": "White"}}, "is a census group name"),
    ],
)
def test_aliases_that_could_never_work_stop_the_run(aliases, words):
    from wres.cli import check_aliases

    with pytest.raises(ConfigError) as caught:
        check_aliases(settings_from_dict({"aliases": aliases}))
    assert words in str(caught.value)


def test_an_ethnicity_alias_to_a_code_or_an_nhs_label_passes():
    from wres.cli import check_aliases

    check_aliases(
        settings_from_dict(
            {
                "aliases": {
                    "ethnicity": {"Declined": "Z", "White Scottish": "White - Any other White background"}
                }
            }
        )
    )


@pytest.mark.parametrize(
    ("severity", "words"),
    [
        ({"required_columns": "warning"}, "always rejected"),
        ({"no_catchment": "critical"}, "expected warning or off"),
    ],
)
def test_severities_that_cannot_apply_are_refused(severity, words):
    from wres.validation import check_severities

    with pytest.raises(ConfigError, match=words):
        check_severities(settings_from_dict({"validation": {"severity": severity}}))


def test_the_no_catchment_warning_can_be_turned_off(tmp_path, monkeypatch):
    from wres.pipeline import ingest
    from wres.state import StateStore

    monkeypatch.setenv("WRES_PSEUDONYMISATION_KEY", "k" * 40)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "board_2025-03-31.csv").write_text(
        "organisation_code,member_id,ethnic_origin,voting,executive\nRXX,M1,A,Y,Y\n", encoding="utf-8"
    )
    (inbox / "staff_in_post_2025-03-31.csv").write_text(
        "organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,ethnic_origin\n"
        "RXX,E1,E1-1,Students,Student,Ward,Other,A\n",
        encoding="utf-8",
    )
    checks = {}
    for severity in ("warning", "off"):
        settings = settings_from_dict({"validation": {"severity": {"no_catchment": severity}}}).with_paths(
            inbox=inbox, state=tmp_path / severity
        )
        store = StateStore(tmp_path / severity)
        try:
            result = ingest(store, settings, run_id=f"run-{severity}")
        finally:
            store.close()
        checks[severity] = [r.check for report in result.reports for r in report.results if not r.passed]
    assert "no_catchment" in checks["warning"]
    assert "no_catchment" not in checks["off"]
