-- Indicator 1, workforce by band: headcount of white, bme and unknown people in each cell of
-- {all, clinical, non_clinical} x {every band present in the cell's people, all}.
-- People whose staff group is unrecognised (workforce NULL) count in the all|... cells only.
-- A cell exists where it has people; each of its three groups gets a row, 0 included, so that
-- the shares of a cell add up to 1.
create or replace table intermediate.indicator1_counts as
-- intermediate.people has one row per person and snapshot: its rows are counted once here, and the
-- cells below add up those counts (each person falls in a cell once)
with people as (
    select
        organisation_code,
        snapshot_date,
        ethnic_group,
        workforce,
        band,
        band_rank,
        in_maternity_scope,
        role_group,
        count(*) as people
    from intermediate.people
    group by all
),

scoped as (
    select
        organisation_code,
        snapshot_date,
        people,
        ethnic_group,
        workforce,
        band,
        band_rank,
        unnest(scopes_of(in_maternity_scope, role_group)) as scope
    from people
),

by_workforce as (
    select
        *,
        unnest(list_concat(['all'], case when workforce is not null then [workforce] else [] end))
            as workforce_cell
    from scoped
),

cells as (
    select organisation_code, snapshot_date, scope, people, ethnic_group, workforce_cell,
        'all' as band_cell, null::integer as band_cell_rank
    from by_workforce
    union all
    select organisation_code, snapshot_date, scope, people, ethnic_group, workforce_cell,
        band as band_cell, band_rank as band_cell_rank
    from by_workforce
),

cell_sizes as (
    select
        organisation_code,
        snapshot_date,
        scope,
        workforce_cell,
        band_cell,
        min(band_cell_rank) as band_cell_rank,
        sum(people)::bigint as denominator
    from cells
    group by organisation_code, snapshot_date, scope, workforce_cell, band_cell
),

group_counts as (
    select
        organisation_code,
        snapshot_date,
        scope,
        workforce_cell,
        band_cell,
        ethnic_group,
        sum(people)::bigint as numerator
    from cells
    group by organisation_code, snapshot_date, scope, workforce_cell, band_cell, ethnic_group
),

final as (
    select
        s.organisation_code,
        s.snapshot_date,
        s.scope,
        1 as indicator,
        'share' as measure,
        g.ethnic_group,
        s.workforce_cell || '|' || s.band_cell as breakdown,
        -- all, clinical, non_clinical; within each the 'all' band first, then by seniority
        (case s.workforce_cell when 'all' then 1 when 'clinical' then 2 else 3 end) * 1000
            + case when s.band_cell = 'all' then 0 else 500 + coalesce(s.band_cell_rank, 0) end
            as breakdown_order,
        coalesce(c.numerator, 0) as numerator,
        s.denominator,
        strftime(s.snapshot_date, '%Y-%m-%d') as source_period
    from cell_sizes as s
    cross join (select * from ethnic_groups() where is_wres_group) as g
    left join group_counts as c
        on c.organisation_code = s.organisation_code
        and c.snapshot_date = s.snapshot_date
        and c.scope = s.scope
        and c.workforce_cell = s.workforce_cell
        and c.band_cell = s.band_cell
        and c.ethnic_group = g.ethnic_group
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), breakdown_order, breakdown,
    ethnic_group_order(ethnic_group);

comment on table intermediate.indicator1_counts is
    'Indicator 1 counts: people of each WRES group over the people of each workforce|band cell, per snapshot and scope.';
comment on column intermediate.indicator1_counts.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.indicator1_counts.snapshot_date is 'Staff-in-post snapshot date.';
comment on column intermediate.indicator1_counts.scope is 'trust, maternity_neonatal or maternity:<role_group>.';
comment on column intermediate.indicator1_counts.indicator is 'WRES indicator number (1).';
comment on column intermediate.indicator1_counts.measure is 'share.';
comment on column intermediate.indicator1_counts.ethnic_group is 'white, bme or unknown.';
comment on column intermediate.indicator1_counts.breakdown is '<workforce>|<band>, e.g. all|all, clinical|Band 5.';
comment on column intermediate.indicator1_counts.breakdown_order is 'Sort key of the breakdown: workforce, then the all band, then band seniority.';
comment on column intermediate.indicator1_counts.numerator is 'People of the group in the cell.';
comment on column intermediate.indicator1_counts.denominator is 'People in the cell.';
comment on column intermediate.indicator1_counts.source_period is 'The snapshot date (ISO).';
