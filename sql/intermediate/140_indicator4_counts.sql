-- Indicator 4, non-mandatory training and CPD: per group, distinct employees in post at D with a
-- non-mandatory record (mandatory = false) starting in the window (D - 12 months, D], over the
-- headcount at D. Group and scopes from the person's representative assignment at D; employees
-- not in post at D (leavers, bank only) are not counted. Rows exist for the scopes with people at
-- D, for organisations that have training data loaded.
create or replace table intermediate.indicator4_counts as
with windows as (
    select * from intermediate.snapshot_windows
),

trained as (
    select distinct w.organisation_code, w.snapshot_date, t.employee_id
    from windows as w
    join staging.training as t
        on t.organisation_code = w.organisation_code
        and t.mandatory = false
        and t.start_date > w.window_start_exclusive
        and t.start_date <= w.snapshot_date
),

trained_people as (
    select p.*
    from intermediate.people as p
    join trained as t using (organisation_code, snapshot_date, employee_id)
),

scoped as (
    select
        organisation_code,
        snapshot_date,
        employee_id,
        ethnic_group,
        census_group,
        unnest(scopes_of(in_maternity_scope, role_group)) as scope
    from trained_people
),

grouped as (
    select
        organisation_code,
        snapshot_date,
        scope,
        employee_id,
        unnest(rate_groups_of(ethnic_group, census_group)) as ethnic_group
    from scoped
),

numerators as (
    select organisation_code, snapshot_date, scope, ethnic_group, count(distinct employee_id) as numerator
    from grouped
    group by organisation_code, snapshot_date, scope, ethnic_group
),

headcount as (
    select h.*
    from intermediate.headcount_by_group as h
    where exists (
        -- a loaded training file, even one with no rows ("nothing happened"), counts
        select 1 from staging.loaded_kinds as k
        where k.kind = 'training' and (k.organisation_code = h.organisation_code or k.organisation_code is null)
    )
),

final as (
    select
        h.organisation_code,
        h.snapshot_date,
        h.scope,
        4 as indicator,
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

comment on table intermediate.indicator4_counts is
    'Indicator 4 counts: distinct employees in post at D with non-mandatory training starting in the window over headcount at D, per snapshot, scope and rate group.';
comment on column intermediate.indicator4_counts.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.indicator4_counts.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.indicator4_counts.scope is 'trust, maternity_neonatal or maternity:<role_group>.';
comment on column intermediate.indicator4_counts.indicator is 'WRES indicator number (4).';
comment on column intermediate.indicator4_counts.measure is 'rate.';
comment on column intermediate.indicator4_counts.ethnic_group is 'white, bme, unknown, asian, black, mixed or other.';
comment on column intermediate.indicator4_counts.breakdown is 'Empty: no breakdown.';
comment on column intermediate.indicator4_counts.breakdown_order is 'Sort key of the breakdown (0).';
comment on column intermediate.indicator4_counts.numerator is 'Distinct employees of the group in post at D with non-mandatory training starting in the window.';
comment on column intermediate.indicator4_counts.denominator is 'Headcount of the group at D.';
comment on column intermediate.indicator4_counts.source_period is 'The window: first day..D.';
