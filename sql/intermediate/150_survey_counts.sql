-- Indicators 5-8 from the NHS Staff Survey. For a snapshot D the survey is the newest loaded
-- survey_year <= year(D) - 1 of the organisation (a report at 31 March 2025 uses the autumn 2024
-- survey). Per group, respondents whose answer counts over respondents who answered:
--   5: q14a >= 2 among q14a answered (harassment from patients / public)
--   6: q14b >= 2 or q14c >= 2 among q14b or q14c answered (harassment from staff)
--   7: q15 = 1 (Yes) among 1, 2, 3 (equal opportunities)
--   8: q16b = 1 (Yes) among 1, 2 (discrimination)
-- Scope from the respondent's in_maternity_scope / role_group. A scope has rows where the survey
-- has respondents in it; then each indicator gets every rate group, 0 included.
create or replace table intermediate.survey_counts as
with windows as (
    select * from intermediate.snapshot_windows
),

-- the survey years each organisation has loaded: a survey file with a header and no rows is a
-- loaded survey with no respondents ("nothing happened", CONTRACT section 1) for every
-- organisation, so the snapshot's indicators 5-8 rest on it (and have no rows), never on an older
-- survey
organisations as (
    select distinct organisation_code from windows
),

surveys as (
    select distinct o.organisation_code, k.survey_year
    from staging.loaded_kinds as k
    join organisations as o
        on k.organisation_code = o.organisation_code or k.organisation_code is null
    where k.kind = 'staff_survey'
),

survey_for_snapshot as (
    select w.organisation_code, w.snapshot_date, max(s.survey_year) as survey_year
    from windows as w
    join surveys as s
        on s.organisation_code = w.organisation_code
        and s.survey_year <= year(w.snapshot_date) - 1
    group by w.organisation_code, w.snapshot_date
),

-- every respondent's answer to each indicator's question(s), counted once per organisation, survey
-- year and the respondent attributes the scopes and groups below read (staging.staff_survey has
-- one row per respondent and survey year, so the counts are of respondents)
answers as (
    select organisation_code, survey_year, ethnic_group, census_group, in_maternity_scope, role_group,
        5 as indicator, q14a is not null as answered, coalesce(q14a >= 2, false) as counted
    from staging.staff_survey
    union all
    select organisation_code, survey_year, ethnic_group, census_group, in_maternity_scope, role_group,
        6, q14b is not null or q14c is not null, coalesce(q14b >= 2, false) or coalesce(q14c >= 2, false)
    from staging.staff_survey
    union all
    select organisation_code, survey_year, ethnic_group, census_group, in_maternity_scope, role_group,
        7, coalesce(q15 in (1, 2, 3), false), coalesce(q15 = 1, false)
    from staging.staff_survey
    union all
    select organisation_code, survey_year, ethnic_group, census_group, in_maternity_scope, role_group,
        8, coalesce(q16b in (1, 2), false), coalesce(q16b = 1, false)
    from staging.staff_survey
),

answer_counts as (
    select *, count(*) as respondents
    from (select * from answers)
    group by all
),

respondents as (
    select
        f.organisation_code,
        f.snapshot_date,
        f.survey_year,
        a.ethnic_group,
        a.census_group,
        a.indicator,
        a.answered,
        a.counted,
        a.respondents,
        unnest(scopes_of(a.in_maternity_scope, a.role_group)) as scope
    from survey_for_snapshot as f
    join answer_counts as a
        on a.organisation_code = f.organisation_code
        and a.survey_year = f.survey_year
),

grouped as (
    select *, unnest(rate_groups_of(ethnic_group, census_group)) as rate_group
    from respondents
),

group_counts as (
    select
        organisation_code,
        snapshot_date,
        scope,
        indicator,
        rate_group as ethnic_group,
        coalesce(sum(respondents) filter (where answered and counted), 0)::bigint as numerator,
        coalesce(sum(respondents) filter (where answered), 0)::bigint as denominator
    from grouped
    group by organisation_code, snapshot_date, scope, indicator, rate_group
),

cells as (
    select distinct organisation_code, snapshot_date, survey_year, scope, indicator
    from respondents
),

final as (
    select
        c.organisation_code,
        c.snapshot_date,
        c.scope,
        c.indicator,
        'rate' as measure,
        g.ethnic_group,
        '' as breakdown,
        0 as breakdown_order,
        coalesce(n.numerator, 0) as numerator,
        coalesce(n.denominator, 0) as denominator,
        'NSS ' || c.survey_year as source_period
    from cells as c
    cross join ethnic_groups() as g
    left join group_counts as n
        on n.organisation_code = c.organisation_code
        and n.snapshot_date = c.snapshot_date
        and n.scope = c.scope
        and n.indicator = c.indicator
        and n.ethnic_group = g.ethnic_group
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), indicator, ethnic_group_order(ethnic_group);

comment on table intermediate.survey_counts is
    'Indicators 5-8 counts from the newest staff survey of year <= year(D) - 1: respondents whose answer counts over respondents who answered, per snapshot, scope and rate group.';
comment on column intermediate.survey_counts.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.survey_counts.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.survey_counts.scope is 'trust, maternity_neonatal or maternity:<role_group> (from the respondent).';
comment on column intermediate.survey_counts.indicator is 'WRES indicator number (5-8).';
comment on column intermediate.survey_counts.measure is 'rate.';
comment on column intermediate.survey_counts.ethnic_group is 'white, bme, unknown, asian, black, mixed or other.';
comment on column intermediate.survey_counts.breakdown is 'Empty: no breakdown.';
comment on column intermediate.survey_counts.breakdown_order is 'Sort key of the breakdown (0).';
comment on column intermediate.survey_counts.numerator is 'Respondents of the group whose answer counts (see the table comment).';
comment on column intermediate.survey_counts.denominator is 'Respondents of the group who answered the question(s).';
comment on column intermediate.survey_counts.source_period is 'The survey used: NSS <year>.';
