-- Representation: each census 2021 high-level group's share of the workforce with known ethnicity,
-- against its share of a reference population (CONTRACT section 2, "Representation").
--
-- Grain: organisation_code, snapshot_date, scope (trust, maternity_neonatal), reference_population,
-- ethnic_group (all five census groups, a group with no staff counting 0, so shares add up to 1).
-- A scope appears at a snapshot when it holds at least one person (any ethnicity).
-- References: census2021 (the catchment's local authorities, weights normalised to 1 per
-- organisation; England and Wales K04000001 without a catchment) and one per reference_NAME.csv,
-- for the organisations that file names.
create or replace table marts.representation as
with

people as (
    -- intermediate.people has one row per person and snapshot (bank left out, the representative
    -- assignment's ethnicity and scope): counting its rows counts distinct people, so it is
    -- counted once here, before the scopes multiply the rows.
    select organisation_code, snapshot_date, census_group, in_maternity_scope, count(*) as people
    from intermediate.people
    group by all
),

scoped_people as (
    select organisation_code, snapshot_date, 'trust' as scope, census_group, people
    from people
    union all
    select organisation_code, snapshot_date, 'maternity_neonatal' as scope, census_group, people
    from people
    where in_maternity_scope
),

workforce as (
    -- The (organisation, snapshot, scope) cells, with their headcount of known ethnicity.
    select
        organisation_code,
        snapshot_date,
        scope,
        coalesce(sum(people) filter (where census_group is not null), 0)::bigint as known_headcount
    from scoped_people
    group by all
),

census_groups as (
    -- The five census high-level groups, in the shipped table's spelling; Other listed last.
    select
        ethnic_group,
        row_number() over (order by ethnic_group = 'Other', ethnic_group) as group_order
    from (select distinct ethnic_group from staging.census2021)
),

group_headcounts as (
    select organisation_code, snapshot_date, scope, census_group, sum(people)::bigint as headcount
    from scoped_people
    where census_group is not null
    group by all
),

area_shares as (
    -- Each area's group shares of its own population.
    select
        area_code,
        ethnic_group,
        population / nullif(sum(population) over (partition by area_code), 0) as area_share
    from staging.census2021
),

organisations as (
    select distinct organisation_code from workforce
),

catchment_weights as (
    -- Weights as given, normalised to sum to 1 per organisation; an organisation without
    -- catchment rows takes England and Wales whole.
    select
        organisation_code,
        area_code,
        weight / nullif(sum(weight) over (partition by organisation_code), 0) as weight
    from staging.catchment
    union all
    select o.organisation_code, 'K04000001' as area_code, 1.0 as weight
    from organisations as o
    where not exists (select 1 from staging.catchment as c where c.organisation_code = o.organisation_code)
),

user_references as (
    -- reference_NAME.csv populations, summed per organisation and group.
    select reference_population, organisation_code, ethnic_group, sum(population) as population
    from staging.reference_population
    group by all
),

census_reference as (
    select
        w.organisation_code,
        'census2021' as reference_population,
        a.ethnic_group,
        sum(w.weight * a.area_share) as reference_share
    from catchment_weights as w
    inner join area_shares as a on a.area_code = w.area_code
    -- A reference_census2021.csv replaces the shipped census for the organisations it names.
    where not exists (
        select 1 from user_references as u
        where u.reference_population = 'census2021' and u.organisation_code = w.organisation_code
    )
    group by all
),

user_reference_totals as (
    select reference_population, organisation_code, sum(population) as total_population
    from user_references
    group by all
),

user_reference_shares as (
    -- Every group for every (reference, organisation) the file names; a group it lacks is 0.
    select
        t.reference_population,
        t.organisation_code,
        g.ethnic_group,
        coalesce(u.population, 0) / nullif(t.total_population, 0) as reference_share
    from user_reference_totals as t
    cross join census_groups as g
    left join user_references as u
        on
            u.reference_population = t.reference_population
            and u.organisation_code = t.organisation_code
            and u.ethnic_group = g.ethnic_group
),

reference_shares as (
    select organisation_code, reference_population, ethnic_group, reference_share from census_reference
    union all
    select organisation_code, reference_population, ethnic_group, reference_share from user_reference_shares
),

cells as (
    select
        w.organisation_code,
        w.snapshot_date,
        w.scope,
        r.reference_population,
        r.ethnic_group,
        g.group_order,
        coalesce(h.headcount, 0) as headcount,
        w.known_headcount,
        r.reference_share
    from workforce as w
    inner join reference_shares as r on r.organisation_code = w.organisation_code
    inner join census_groups as g on g.ethnic_group = r.ethnic_group
    left join group_headcounts as h
        on
            h.organisation_code = w.organisation_code
            and h.snapshot_date = w.snapshot_date
            and h.scope = w.scope
            and h.census_group = lower(r.ethnic_group)
),

measured as (
    select
        *,
        safe_fraction(headcount, known_headcount) as workforce_share,
        -- The Wilson interval of the workforce share (NULL when no one's ethnicity is known).
        wilson_low(headcount, known_headcount) as share_low,
        wilson_high(headcount, known_headcount) as share_high,
        -- x / 0 is inf in DuckDB, not NULL: a reference share of 0 gives no ratio.
        nullif(reference_share, 0) as divisor
    from cells
),

final as (
    select
        organisation_code::varchar as organisation_code,
        snapshot_date::date as snapshot_date,
        scope::varchar as scope,
        reference_population::varchar as reference_population,
        ethnic_group::varchar as ethnic_group,
        headcount::bigint as headcount,
        workforce_share::double as workforce_share,
        reference_share::double as reference_share,
        (workforce_share / divisor)::double as ratio,
        (share_low / divisor)::double as ci_low,
        (share_high / divisor)::double as ci_high,
        -- A share rests on both counts: hidden when either is small.
        (is_small_count(headcount) or is_small_count(known_headcount)) as suppressed
    from measured
    order by
        organisation_code,
        snapshot_date,
        scope_order(scope),
        reference_population != 'census2021',
        reference_population,
        group_order
)

select * from final;

comment on table marts.representation is 'Representation against the community (CONTRACT section 2): each census 2021 high-level group''s share of the headcount with known ethnicity (bank left out, people not assignments) beside its share of a reference population, with their ratio and its 95% interval. One row per organisation, staff-in-post snapshot, scope (trust, maternity_neonatal), reference population and census group; all five groups always present. Exact values: the publication hides what suppressed marks.';
comment on column marts.representation.organisation_code is 'ODS code of the organisation.';
comment on column marts.representation.snapshot_date is 'Staff-in-post snapshot date.';
comment on column marts.representation.scope is 'trust (the whole organisation) or maternity_neonatal (staff whose area of work or job role is in the maternity and neonatal scope).';
comment on column marts.representation.reference_population is 'census2021: the 2021 census of the organisation''s catchment (catchment.csv weights normalised to sum to 1, applied to each local authority''s group shares; England and Wales K04000001 when the organisation has no catchment rows). Any other name: the population of reference_NAME.csv for the organisations that file names.';
comment on column marts.representation.ethnic_group is 'Census 2021 high-level ethnic group: Asian, Black, Mixed, White or Other (NHS code R, Chinese, is Asian; S is Other).';
comment on column marts.representation.headcount is 'People in the scope at the snapshot whose ethnicity falls in this group (distinct employees, bank left out; may be 0).';
comment on column marts.representation.workforce_share is 'headcount / the scope''s headcount with known ethnicity (not stated and not known left out); NULL when no one''s ethnicity is known. Fraction (0.18, not 18).';
comment on column marts.representation.reference_share is 'The group''s share of the reference population, a fraction; the five groups add up to 1.';
comment on column marts.representation.ratio is 'workforce_share / reference_share: 1 means the workforce mirrors the reference population, below 1 under-represented. NULL when reference_share is 0 or there is no workforce share.';
comment on column marts.representation.ci_low is 'Lower end of the 95% interval of ratio: the Wilson score lower bound of workforce_share (z = 1.959964) divided by reference_share. NULL when ratio has no value.';
comment on column marts.representation.ci_high is 'Upper end of the 95% interval of ratio: the Wilson score upper bound of workforce_share divided by reference_share. NULL when ratio has no value.';
comment on column marts.representation.suppressed is 'True when headcount or the scope''s known headcount is a count from 1 to min_count - 1 (default 1-4): the publication hides this row''s counts, shares, ratio and interval.';
