-- Indicator 2, appointed from shortlisting: per group, applications appointed over applications
-- shortlisted with shortlisted_date in the window (D - 12 months, D]. An application's scope comes
-- from its own in_maternity_scope / role_group. A scope has rows where it has at least one
-- shortlisted application in the window; then every rate group gets a row, 0 included.
-- Breakdown 'excluding_international' repeats the counts over applications with
-- international_recruit = false, only where every shortlisted application of the organisation in
-- the window has a value in that column.
create or replace table intermediate.indicator2_counts as
with windows as (
    select * from intermediate.snapshot_windows
),

shortlisted as (
    select
        w.organisation_code,
        w.snapshot_date,
        w.window_period,
        r.application_id,
        coalesce(r.appointed, false) as appointed,
        r.international_recruit,
        r.ethnic_group,
        r.census_group,
        r.in_maternity_scope,
        r.role_group
    from windows as w
    join staging.recruitment as r
        on r.organisation_code = w.organisation_code
        and r.shortlisted
        and r.shortlisted_date > w.window_start_exclusive
        and r.shortlisted_date <= w.snapshot_date
),

international_known as (
    select
        organisation_code,
        snapshot_date,
        bool_and(international_recruit is not null) as every_application_known
    from shortlisted
    group by organisation_code, snapshot_date
),

by_breakdown as (
    select
        s.*,
        unnest(list_concat(
            [''],
            case when k.every_application_known then ['excluding_international'] else [] end
        )) as breakdown
    from shortlisted as s
    join international_known as k using (organisation_code, snapshot_date)
),

scoped as (
    select
        *,
        breakdown = '' or international_recruit = false as counts_in_breakdown,
        unnest(scopes_of(in_maternity_scope, role_group)) as scope
    from by_breakdown
),

grouped as (
    select *, unnest(rate_groups_of(ethnic_group, census_group)) as rate_group
    from scoped
),

-- count(*): staging.recruitment has one row per application_id (the newest file wins)
group_counts as (
    select
        organisation_code,
        snapshot_date,
        scope,
        breakdown,
        rate_group as ethnic_group,
        count(*) filter (where counts_in_breakdown and appointed) as numerator,
        count(*) filter (where counts_in_breakdown) as denominator
    from grouped
    group by organisation_code, snapshot_date, scope, breakdown, rate_group
),

cells as (
    select distinct organisation_code, snapshot_date, window_period, scope, breakdown
    from scoped
),

final as (
    select
        c.organisation_code,
        c.snapshot_date,
        c.scope,
        2 as indicator,
        'rate' as measure,
        g.ethnic_group,
        c.breakdown,
        case when c.breakdown = '' then 0 else 1 end as breakdown_order,
        coalesce(n.numerator, 0) as numerator,
        coalesce(n.denominator, 0) as denominator,
        c.window_period as source_period
    from cells as c
    cross join ethnic_groups() as g
    left join group_counts as n
        on n.organisation_code = c.organisation_code
        and n.snapshot_date = c.snapshot_date
        and n.scope = c.scope
        and n.breakdown = c.breakdown
        and n.ethnic_group = g.ethnic_group
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), breakdown_order,
    ethnic_group_order(ethnic_group);

comment on table intermediate.indicator2_counts is
    'Indicator 2 counts: applications appointed over applications shortlisted in the window, per snapshot, scope, breakdown and rate group.';
comment on column intermediate.indicator2_counts.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.indicator2_counts.snapshot_date is 'Staff-in-post snapshot date D that sets the window.';
comment on column intermediate.indicator2_counts.scope is 'trust, maternity_neonatal or maternity:<role_group> (from the application).';
comment on column intermediate.indicator2_counts.indicator is 'WRES indicator number (2).';
comment on column intermediate.indicator2_counts.measure is 'rate.';
comment on column intermediate.indicator2_counts.ethnic_group is 'white, bme, unknown, asian, black, mixed or other.';
comment on column intermediate.indicator2_counts.breakdown is 'Empty for all applications; excluding_international for applications with international_recruit = false.';
comment on column intermediate.indicator2_counts.breakdown_order is 'Sort key of the breakdown.';
comment on column intermediate.indicator2_counts.numerator is 'Shortlisted applications of the group that were appointed.';
comment on column intermediate.indicator2_counts.denominator is 'Applications of the group shortlisted in the window.';
comment on column intermediate.indicator2_counts.source_period is 'The window: first day..D.';
