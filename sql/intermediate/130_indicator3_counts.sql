-- Indicator 3, formal disciplinary: per group, distinct employees with an investigation starting
-- in the window (D - 12 months, D] over the headcount at D.
-- Who counts where:
--   * in post at D (a non-bank assignment in the snapshot): group and scopes from their
--     representative assignment at D;
--   * in the snapshot at D with bank assignments only: not counted (bank is left out);
--   * not in the snapshot at D (a leaver): group from the newest earlier snapshot of the same
--     organisation that holds them (not counted if they were bank only there), else from the
--     case row's own ethnic_origin (the newest row that records one; none = unknown); scope
--     trust only.
-- Leavers add to the numerator only, so a group's numerator can exceed its headcount.
-- Rows exist for the scopes with people at D, for organisations that have disciplinary data
-- loaded (so that "no file" is not reported as "no cases").
create or replace table intermediate.indicator3_counts as
with windows as (
    select * from intermediate.snapshot_windows
),

cases_in_window as (
    select
        w.organisation_code,
        w.snapshot_date,
        d.employee_id,
        d.ethnic_group,
        d.census_group,
        row_number() over (
            partition by w.organisation_code, w.snapshot_date, d.employee_id
            order by coalesce(d.ethnic_group, 'unknown') = 'unknown', d.investigation_start_date desc,
                d.case_id desc
        ) as case_rank
    from windows as w
    join staging.disciplinary as d
        on d.organisation_code = w.organisation_code
        and d.investigation_start_date > w.window_start_exclusive
        and d.investigation_start_date <= w.snapshot_date
),

-- one row per employee: the ethnicity of the newest case row that records one (else the newest
-- row's unknown), the fallback for leavers found in no snapshot
case_employees as (
    select * exclude (case_rank)
    from cases_in_window
    where case_rank = 1
),

presence as (
    select
        organisation_code,
        snapshot_date,
        employee_id,
        bool_and(coalesce(is_bank, false)) as bank_only
    from staging.staff_in_post
    group by organisation_code, snapshot_date, employee_id
),

-- the newest snapshot on or before D that holds the employee (D itself when they are in post)
located as (
    select
        c.*,
        p.snapshot_date as found_in_snapshot,
        p.bank_only,
        row_number() over (
            partition by c.organisation_code, c.snapshot_date, c.employee_id
            order by p.snapshot_date desc nulls last
        ) as snapshot_rank
    from case_employees as c
    left join presence as p
        on p.organisation_code = c.organisation_code
        and p.employee_id = c.employee_id
        and p.snapshot_date <= c.snapshot_date
),

attributed as (
    select
        l.organisation_code,
        l.snapshot_date,
        l.employee_id,
        case when l.found_in_snapshot is null then coalesce(l.ethnic_group, 'unknown')
            else p.ethnic_group end as ethnic_group,
        case when l.found_in_snapshot is null then l.census_group else p.census_group end as census_group,
        case when l.found_in_snapshot = l.snapshot_date
            then scopes_of(p.in_maternity_scope, p.role_group)
            else ['trust'] end as scopes
    from located as l
    left join intermediate.people as p
        on p.organisation_code = l.organisation_code
        and p.snapshot_date = l.found_in_snapshot
        and p.employee_id = l.employee_id
    where l.snapshot_rank = 1
        and not coalesce(l.bank_only, false)
),

grouped as (
    select
        organisation_code,
        snapshot_date,
        employee_id,
        unnest(scopes) as scope,
        rate_groups_of(ethnic_group, census_group) as rate_groups
    from attributed
),

group_counts as (
    select
        organisation_code,
        snapshot_date,
        scope,
        unnest(rate_groups) as ethnic_group,
        employee_id
    from grouped
),

numerators as (
    select organisation_code, snapshot_date, scope, ethnic_group, count(distinct employee_id) as numerator
    from group_counts
    group by organisation_code, snapshot_date, scope, ethnic_group
),

headcount as (
    select h.*
    from intermediate.headcount_by_group as h
    where exists (
        -- a loaded disciplinary file, even one with no rows ("nothing happened"), counts
        select 1 from staging.loaded_kinds as k
        where k.kind = 'disciplinary' and (k.organisation_code = h.organisation_code or k.organisation_code is null)
    )
),

final as (
    select
        h.organisation_code,
        h.snapshot_date,
        h.scope,
        3 as indicator,
        'rate' as measure,
        h.ethnic_group,
        '' as breakdown,
        0 as breakdown_order,
        coalesce(n.numerator, 0) as numerator,
        h.headcount as denominator,
        w.window_period as source_period
    from headcount as h
    join windows as w using (organisation_code, snapshot_date)
    left join numerators as n
        on n.organisation_code = h.organisation_code
        and n.snapshot_date = h.snapshot_date
        and n.scope = h.scope
        and n.ethnic_group = h.ethnic_group
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), ethnic_group_order(ethnic_group);

comment on table intermediate.indicator3_counts is
    'Indicator 3 counts: distinct employees entering a formal disciplinary investigation in the window over headcount at D, per snapshot, scope and rate group (leavers in trust only).';
comment on column intermediate.indicator3_counts.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.indicator3_counts.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.indicator3_counts.scope is 'trust, maternity_neonatal or maternity:<role_group>.';
comment on column intermediate.indicator3_counts.indicator is 'WRES indicator number (3).';
comment on column intermediate.indicator3_counts.measure is 'rate.';
comment on column intermediate.indicator3_counts.ethnic_group is 'white, bme, unknown, asian, black, mixed or other.';
comment on column intermediate.indicator3_counts.breakdown is 'Empty: no breakdown.';
comment on column intermediate.indicator3_counts.breakdown_order is 'Sort key of the breakdown (0).';
comment on column intermediate.indicator3_counts.numerator is 'Distinct employees of the group with an investigation starting in the window (leavers included in trust).';
comment on column intermediate.indicator3_counts.denominator is 'Headcount of the group at D.';
comment on column intermediate.indicator3_counts.source_period is 'The window: first day..D.';
