"""Settings: one TOML file (default ``wres.toml``), every key optional.

Command-line options win over the file, the file over the defaults. Secrets never live here: the
pseudonymisation key comes from ``WRES_PSEUDONYMISATION_KEY`` or a key file outside the
repository, the SMTP password from the environment variable that ``[mail] password_env`` names.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wres.errors import ConfigError
from wres.values import ORGANISATION_CODE_PATTERN


def user_folder(variable: str, fallback: str) -> Path:
    """A per-user base folder of the XDG rules: ``$variable`` when set, else ``~/fallback`` (the key
    file goes under ``XDG_CONFIG_HOME``, default ``.config``; the Vega cache under ``XDG_CACHE_HOME``,
    default ``.cache``)."""
    return Path(os.environ.get(variable) or Path.home() / fallback)


DEFAULT_CONFIG_FILE = Path("wres.toml")

# ESR Business Intelligence headers and other common spellings -> canonical column.
# Headers are compared after normalise_header (case, spaces, underscores, hyphens, punctuation).
DEFAULT_HEADER_ALIASES: dict[str, str] = {
    "Ethnic Origin": "ethnic_origin",
    "Ethnicity": "ethnic_origin",
    "Ethnic Group": "ethnic_origin",
    "Assignment Number": "assignment_id",
    "Assignment ID": "assignment_id",
    "Employee Number": "employee_id",
    "Staff Number": "employee_id",
    "Person Number": "employee_id",
    "Primary": "is_primary_assignment",
    "Primary Assignment": "is_primary_assignment",
    "Primary Flag": "is_primary_assignment",
    "Pay Band": "pay_band",
    "Grade": "pay_band",
    "Band": "pay_band",
    "Area of Work": "area_of_work",
    "Staff Group": "staff_group",
    "Job Role": "job_role",
    "Org Code": "organisation_code",
    "Organisation Code": "organisation_code",
    "ODS Code": "organisation_code",
    "Contracted WTE": "fte",
    "FTE": "fte",
    "WTE": "fte",
    "Assignment Category": "assignment_category",
    "Gender": "gender",
    "Sex": "gender",
    "Disability": "disability",
    "Application Number": "application_id",
    "Application ID": "application_id",
    "Vacancy Number": "vacancy_id",
    "Shortlisted Date": "shortlisted_date",
    "Date Shortlisted": "shortlisted_date",
    "International Recruit": "international_recruit",
    "International Recruitment": "international_recruit",
    "Case Number": "case_id",
    "Case Reference": "case_id",
    "Investigation Start Date": "investigation_start_date",
    "Date Investigation Started": "investigation_start_date",
    "Record Number": "record_id",
    "Course Start Date": "start_date",
    "Mandatory Flag": "mandatory",
    "Course Name": "course_name",
    "Course": "course_name",
    "Member Number": "member_id",
    "Voting Member": "voting",
    "Executive Member": "executive",
    "Respondent": "respondent_id",
    "Occupation Group": "occupation_group",
    "Occupational Group": "occupation_group",
    "Work Area": "work_area",
}

DEFAULT_MATERNITY_TERMS: tuple[str, ...] = (
    "maternity",
    "midwi",
    "obstetric",
    "neonat",
    "labour ward",
    "birth centre",
)

# survey year -> canonical question -> the column that holds it in that year's file
_QUESTIONS_2021 = {"q14a": "q14a", "q14b": "q14b", "q14c": "q14c", "q15": "q15", "q16b": "q16b"}
_QUESTIONS_2019 = {"q14a": "q13a", "q14b": "q13b", "q14c": "q13c", "q15": "q14", "q16b": "q15b"}


def default_survey_questions(year: int) -> dict[str, str]:
    """Question columns of the national questionnaire for ``year`` (2019-2020 differ)."""
    return dict(_QUESTIONS_2019 if year <= 2020 else _QUESTIONS_2021)


@dataclass(frozen=True)
class Paths:
    inbox: Path = Path("data/inbox")
    warehouse: Path = Path("data/warehouse/wres.duckdb")
    out: Path = Path("data/outputs")
    state: Path = Path("data/state")
    demo_inbox: Path = Path("data/demo-inbox")
    demo_state: Path = Path("data/demo-state")  # the demo's own state: never mixed with a trust's


@dataclass(frozen=True)
class Interpretation:
    lower: float = 0.80
    upper: float = 1.25


@dataclass(frozen=True)
class Disclosure:
    min_count: int = 5  # counts 1 .. min_count-1 are hidden
    survey_min_denominator: int = 11
    round_to: int = 0  # 0: no rounding; 5: published counts rounded to the nearest 5


@dataclass(frozen=True)
class Validation:
    # check name -> "critical" | "warning" | "off"; overrides the suites' own severities
    severity: dict[str, str] = field(default_factory=dict)
    unknown_ethnicity_max_share: float = 0.10
    staff_count_max_change: float = 0.20
    fte_min: float = 0.0
    fte_max: float = 1.5
    earliest_date: str = "1950-01-01"


@dataclass(frozen=True)
class Mail:
    host: str = ""
    port: int = 25
    starttls: bool = False
    username: str = ""
    password_env: str = "WRES_SMTP_PASSWORD"
    sender: str = ""
    recipients: tuple[str, ...] = ()
    retries: int = 3


@dataclass(frozen=True)
class Settings:
    paths: Paths = field(default_factory=Paths)
    organisation_code: str | None = None
    header_aliases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HEADER_ALIASES))
    ethnicity_aliases: dict[str, str] = field(default_factory=dict)  # value -> NHS code
    staff_group_aliases: dict[str, str] = field(default_factory=dict)  # label -> canonical group
    band_aliases: dict[str, str] = field(default_factory=dict)  # label -> normalised band
    maternity_terms: tuple[str, ...] = DEFAULT_MATERNITY_TERMS
    survey_questions: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> mapping
    interpretation: Interpretation = field(default_factory=Interpretation)
    disclosure: Disclosure = field(default_factory=Disclosure)
    validation: Validation = field(default_factory=Validation)
    mail: Mail = field(default_factory=Mail)
    delivery_folder: Path | None = None
    pseudonymisation_key_file: Path | None = None
    dask_scheduler_address: str | None = None
    publication_workers: int = 2

    def survey_columns(self, year: int) -> dict[str, str]:
        """Canonical question -> column name in the ``year`` survey file: the year's national
        columns, with the ones ``[survey_questions]`` sets for that year in their place."""
        return {**default_survey_questions(year), **self.survey_questions.get(year, {})}

    def with_paths(self, **overrides: Path | None) -> Settings:
        """A copy whose paths are overridden by the non-None values (command-line options)."""
        changes = {k: Path(v) for k, v in overrides.items() if v is not None}
        return dataclasses.replace(self, paths=dataclasses.replace(self.paths, **changes))


def _typed(value: Any, default: Any, where: str) -> Any:
    """``value`` checked against the type of its default (a TOML value of the wrong type is a
    ConfigError naming the setting; true is not a number, 2.5 not a whole number)."""
    if isinstance(default, Path):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: expected a folder or file name in quotes, got {value!r}")
        return Path(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{where}: expected a list of texts ["...", "..."], got {value!r}')
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a text in quotes, got {value!r}")
    return value


def _section(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings, got {data!r}")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        default = known[name].default
        if default is dataclasses.MISSING:  # a table (validation.severity): checked on its own
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(
                    f'{where}.{name}: expected a table of check = "critical", "warning" or "off"'
                )
        else:
            value = _typed(value, default, f"{where}.{name}")
        values[name] = value
    return cls(**values)


def _check_values(settings: Settings, source: str) -> None:
    """Values that are of the right type but cannot be meant (a negative count, bounds the wrong
    way round) are a ConfigError: they would quietly switch a rule off, disclosure control above all."""
    disclosure, interpretation, validation = settings.disclosure, settings.interpretation, settings.validation
    problems = []
    if disclosure.min_count < 1:
        problems.append(f"[disclosure] min_count = {disclosure.min_count}: must be 1 or more")
    if disclosure.survey_min_denominator < 0:
        problems.append(
            f"[disclosure] survey_min_denominator = {disclosure.survey_min_denominator}: must be 0 or more"
        )
    if disclosure.round_to < 0:
        problems.append(f"[disclosure] round_to = {disclosure.round_to}: must be 0 (no rounding) or more")
    if not 0 < interpretation.lower < interpretation.upper:
        problems.append(
            f"[interpretation] lower = {interpretation.lower}, upper = {interpretation.upper}: "
            "need 0 < lower < upper"
        )
    if not 0 <= validation.unknown_ethnicity_max_share <= 1:
        problems.append(
            f"[validation] unknown_ethnicity_max_share = {validation.unknown_ethnicity_max_share}: "
            "a share, from 0 to 1"
        )
    if validation.staff_count_max_change < 0:
        problems.append(
            f"[validation] staff_count_max_change = {validation.staff_count_max_change}: must be 0 or more"
        )
    if not 0 <= validation.fte_min < validation.fte_max:
        problems.append(
            f"[validation] fte_min = {validation.fte_min}, fte_max = {validation.fte_max}: "
            "need 0 <= fte_min < fte_max"
        )
    try:
        date.fromisoformat(validation.earliest_date)
    except ValueError:
        problems.append(f"[validation] earliest_date = {validation.earliest_date!r}: expected YYYY-MM-DD")
    if not 1 <= settings.mail.port <= 65535:
        problems.append(f"[mail] port = {settings.mail.port}: a port number, 1 to 65535")
    if settings.mail.retries < 0:
        problems.append(f"[mail] retries = {settings.mail.retries}: must be 0 or more")
    if settings.organisation_code is not None and not ORGANISATION_CODE_PATTERN.fullmatch(
        settings.organisation_code
    ):
        problems.append(
            f"organisation_code = {settings.organisation_code!r}: the organisation (ODS) code of a "
            "single-trust installation, such as 'RXX' (it names a folder: no / or \\, no leading dot); "
            "leave the key out when the files carry the code"
        )
    if settings.publication_workers < 1:
        problems.append(f"publication_workers = {settings.publication_workers}: must be 1 or more")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))


def settings_from_dict(data: dict[str, Any], source: str = "settings") -> Settings:
    """Build Settings from parsed TOML. Unknown keys are a ConfigError (a typo should not pass)."""
    data = dict(data)
    kwargs: dict[str, Any] = {}
    if "paths" in data:
        kwargs["paths"] = _section(Paths, data.pop("paths"), f"{source} [paths]")
    for key, cls in (
        ("interpretation", Interpretation),
        ("disclosure", Disclosure),
        ("validation", Validation),
        ("mail", Mail),
    ):
        if key in data:
            kwargs[key] = _section(cls, data.pop(key), f"{source} [{key}]")
    aliases = data.pop("aliases", {})
    if not isinstance(aliases, dict):
        raise ConfigError(f"{source} [aliases]: expected a table")
    for key, target in (
        ("headers", "header_aliases"),
        ("ethnicity", "ethnicity_aliases"),
        ("staff_group", "staff_group_aliases"),
        ("band", "band_aliases"),
    ):
        extra = aliases.pop(key, {})
        if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
            raise ConfigError(f'{source} [aliases.{key}]: expected a table of "label" = "value"')
        base = dict(DEFAULT_HEADER_ALIASES) if key == "headers" else {}
        base.update(extra)
        kwargs[target] = base
    if aliases:
        raise ConfigError(f"{source} [aliases]: unknown table(s) {', '.join(sorted(aliases))}")
    if "maternity" in data:
        maternity = data.pop("maternity")
        terms = maternity.get("terms") if isinstance(maternity, dict) else None
        if (
            set(maternity if isinstance(maternity, dict) else ()) != {"terms"}
            or not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and t.strip() for t in terms)
        ):
            raise ConfigError(f'{source} [maternity]: expected only terms = ["maternity", ...]')
        kwargs["maternity_terms"] = tuple(t.lower() for t in terms)
    if "survey_questions" in data:
        kwargs["survey_questions"] = _survey_questions(data.pop("survey_questions"), source)
    simple = {  # key -> a value of its type
        "organisation_code": "",
        "delivery_folder": Path(),
        "pseudonymisation_key_file": Path(),
        "dask_scheduler_address": "",
        "publication_workers": 0,
    }
    for key, example in simple.items():
        if key in data:
            kwargs[key] = _typed(data.pop(key), example, f"{source} {key}")
    if data:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(data))}")
    settings = Settings(**kwargs)
    _check_values(settings, source)
    return settings


def _survey_questions(raw: Any, source: str) -> dict[int, dict[str, str]]:
    """``"YEAR" = {q14a = "column", ...}``: each year's columns of the canonical questions."""
    where = f"{source} [survey_questions]"
    questions = set(_QUESTIONS_2021)
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: expected "YEAR" = {{q14a = "..."}}')
    years: dict[int, dict[str, str]] = {}
    for year, columns in raw.items():
        if not str(year).isdigit() or not isinstance(columns, dict):
            raise ConfigError(f'{where}: expected "YEAR" = {{q14a = "..."}}, got "{year}"')
        unknown = sorted(set(columns) - questions)
        if unknown or not all(isinstance(c, str) and c.strip() for c in columns.values()):
            raise ConfigError(
                f'{where} "{year}": questions are {", ".join(sorted(questions))}, each = "the column name"'
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            )
        years[int(year)] = dict(columns)
    return years


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file. ``path`` None means ``wres.toml`` if it exists, else the defaults."""
    explicit = path is not None
    path = Path(path) if path is not None else DEFAULT_CONFIG_FILE
    if not path.exists():
        if explicit:
            raise ConfigError(f"settings file {path} does not exist")
        return Settings()
    if path.is_dir():
        raise ConfigError(f"settings file {path} is a folder: give the path of a TOML file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"settings file {path} cannot be read: {exc.strerror}") from exc
    return settings_from_dict(data, source=str(path))


def smtp_password(settings: Settings) -> str | None:
    """The SMTP password, from the environment only."""
    return os.environ.get(settings.mail.password_env) or None
