"""Comments for the warehouse's staging and ops tables and their columns (analysts read them
in DBeaver, the DuckDB CLI's ``duckdb_columns()`` or R). The marts carry their own comments in
their SQL model files."""

from __future__ import annotations

TABLE_COMMENTS: dict[str, str] = {
    "staging.staff_in_post": "ESR staff in post: one row per assignment of the file in force for each "
    "organisation and snapshot date, with ethnic group, band, staff group and maternity scope derived. "
    "Identifiers are keyed-hash pseudonyms.",
    "staging.recruitment": "Applications, one row per application_id (the newest file's row wins).",
    "staging.disciplinary": "Formal disciplinary investigations, one row per case_id (newest file wins).",
    "staging.training": "Training and CPD records, one row per record_id (newest file wins).",
    "staging.board": "Board members of each board file in force (one file per organisation and date).",
    "staging.staff_survey": "NHS Staff Survey respondents of the file in force for each organisation and survey "
    "year; answers as codes under their 2021-2025 question names.",
    "staging.catchment": "Trust catchment: local-authority weights (as given; the marts normalise them).",
    "staging.reference_population": "Extra reference populations from reference_NAME files.",
    "staging.census2021": "Census 2021 usual residents by high-level ethnic group per local authority "
    "(England) and the England and Wales percentages (K04000001), shipped with the monitor.",
    "staging.loaded_kinds": "Which kinds of data (and survey years) each organisation has loaded; "
    "organisation_code NULL for a "
    "file with no rows (it counts for every organisation: nothing happened).",
    "staging.snapshots": "Every staff-in-post snapshot in force: the dates the indicators are computed for.",
    "ops.loaded_files": "Every file the monitor has seen, by content hash, with its status.",
    "ops.runs": "Every run of the weekly flow, with its outcome.",
    "ops.run_files": "What each run did with each inbox file.",
    "ops.validation_results": "Every validation result: one row per check per file per run.",
}

# by column name, or by schema.table.column where one name means different things in two tables
COLUMN_COMMENTS: dict[str, str] = {
    "organisation_code": "ODS code of the organisation (trust).",
    "snapshot_date": "Staff-in-post snapshot date (the date in the file name).",
    "employee_id": "Pseudonymised employee number (first 128 bits of HMAC-SHA256 with the trust's key, as a UUID).",
    "assignment_id": "Pseudonymised assignment number (first 128 bits of HMAC-SHA256 with the trust's key, as a UUID).",
    "assignment_order": "1 for the employee's lowest original assignment number in the file (compared as text), "
    "then 2, 3...: the last tie-break for a person's main assignment.",
    "staff_group": "Staff group, canonical name where recognised, else as given.",
    "staff_group_recognised": "True when the staff group label matched a known group.",
    "workforce": "clinical or non_clinical from the staff group; NULL when the group is unrecognised.",
    "job_role": "Job role as given.",
    "area_of_work": "Area of work as given.",
    "pay_band": "Pay band or grade as given.",
    "band": "Normalised band: Band 1 .. Band 9, Band 8a .. Band 8d, VSM, Medical: Consultant, "
    "Medical: Career grade, Medical: Trainee, or Other.",
    "band_rank": "Seniority order of the band (higher is more senior; medical grades and Other below Band 1).",
    "band_recognised": "True when the band label was recognised.",
    "ethnic_origin": "Ethnic origin as given (NHS ethnic category code and/or label).",
    "ethnicity": "Ethnicity as given in the survey (NHS category, census label or high-level group).",
    "ethnic_group": "WRES group: white, bme or unknown.",
    "census_group": "Census 2021 high-level group: white, asian, black, mixed, other; NULL when unknown.",
    "unknown_reason": "not_stated (Z, declined) or not_known (99, blank); NULL when ethnicity is known.",
    "assignment_category": "Assignment category as given (Permanent, Fixed Term Temp, Bank, ...).",
    "is_bank": "True for bank assignments (category contains 'bank'), which no indicator counts.",
    "is_primary_assignment": "Primary assignment flag as given; NULL when not given.",
    "fte": "Contracted whole-time equivalent.",
    "gender": "Gender as given.",
    "disability": "Disability as given.",
    "in_maternity_scope": "True when the area of work or job role is maternity or neonatal care.",
    "role_group": "Maternity role group (midwives, neonatal_nursing, obstetric_medical, support_workers, "
    "other); NULL outside maternity and neonatal scope.",
    "file_sha256": "SHA-256 of the source file's bytes (see ops.loaded_files).",
    "file_date": "Date in the source file's name.",
    "application_id": "Pseudonymised application id.",
    "shortlisted": "True when the application was shortlisted.",
    "appointed": "True when the applicant was appointed.",
    "shortlisted_date": "Date of shortlisting (places the application in an indicator window).",
    "international_recruit": "True for international recruitment; NULL when not given.",
    "vacancy_id": "Vacancy reference as given.",
    "case_id": "Pseudonymised disciplinary case id.",
    "investigation_start_date": "Date the formal disciplinary investigation started.",
    "record_id": "Pseudonymised training record id.",
    "start_date": "Date the training started.",
    "mandatory": "True for mandatory training (not counted by indicator 4).",
    "course_name": "Course name as given.",
    "board_date": "Date in the board file's name: the date the membership holds.",
    "member_id": "Pseudonymised board member id.",
    "voting": "True for a voting board member.",
    "executive": "True for an executive board member.",
    "survey_year": "Staff survey year (fielded that autumn).",
    "respondent_id": "Pseudonymised survey respondent id.",
    "occupation_group": "Survey occupation group as given.",
    "work_area": "Survey work area as given.",
    "q14a": "Harassment, bullying or abuse from patients / public in the last 12 months: 1 Never, 2 1-2, "
    "3 3-5, 4 6-10, 5 More than 10; NULL not answered (2019-2020: q13a).",
    "q14b": "... from managers: codes as q14a (2019-2020: q13b).",
    "q14c": "... from other colleagues: codes as q14a (2019-2020: q13c).",
    "q15": "Equal opportunities for career progression: 1 Yes, 2 No, 3 Don't know (2019-2020: q14).",
    "q16b": "Discrimination from manager / colleagues in the last 12 months: 1 Yes, 2 No (2019-2020: q15b).",
    "area_code": "ONS local-authority code (K04000001 = England and Wales).",
    "area_name": "Local-authority name.",
    "weight": "Catchment weight as given (normalised per organisation in the marts).",
    "reference_population": "Name of the reference population (census2021 or NAME of reference_NAME).",
    "population": "Population (for K04000001, the published percentage: only shares are used).",
    # ops
    "name": "File name in the inbox.",
    "kind": "File kind from the file name.",
    "sha256": "SHA-256 of the file's bytes: a file is identified by its content.",
    "size_bytes": "File size in bytes.",
    "first_seen": "When these bytes were first seen.",
    "first_seen_order": "Order of first sighting (breaks ties between files of one kind and date).",
    "status": "loaded or rejected.",
    "ops.runs.status": (
        "running, completed (its warehouse and publication put in place; exit code known), failed (an "
        "internal error), or interrupted (stopped before it could say: killed, or the machine went down). "
        "The job's state also has publishing (files loaded, warehouse and publication not yet in place), "
        "which the warehouse shows as completed for the run that built it."
    ),
    "rows": "Rows loaded from the file.",
    "loaded_at": "When the file's rows were loaded.",
    "last_checked_at": "When the file was last validated.",
    "last_message": "Why the file was last rejected (no identifier values).",
    "reference_name": "NAME of a reference_NAME file.",
    "run_id": "Run identifier.",
    "started_at": "Run start (UTC).",
    "finished_at": "Run end (UTC).",
    "exit_code": "0 all files passed, 1 a file was rejected, 3 internal error.",
    "files_seen": "Files seen in the inbox.",
    "files_loaded": "Files loaded in this run.",
    "files_rejected": "Files rejected in this run.",
    "files_unchanged": "Files already loaded (same bytes).",
    "message": "Message (no identifier values).",
    "outcome": "loaded, rejected, unchanged, duplicate or unrecognised.",
    "file_name": "File name.",
    "check_name": "Validation check.",
    "column_name": "Column the check concerns.",
    "severity": "critical (rejects the file) or warning.",
    "passed": "True when the check passed.",
    "unexpected_count": "Rows failing the check.",
    "expectation": "The Great Expectations expectation behind the check.",
    "validated_at": "When the check ran.",
    "file_date_or_year": "Date or survey year in the file name.",
}
