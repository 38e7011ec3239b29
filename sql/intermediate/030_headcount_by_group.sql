-- Headcount at each snapshot by scope and rate group: the denominators of indicators 3 and 4.
-- Every scope that has people gets all seven groups (white, bme, unknown, asian, black, mixed,
-- other), a group with nobody in it at 0.
create or replace table intermediate.headcount_by_group as
-- intermediate.people has one row per person and snapshot: its rows are counted once here, and
-- a person counts once in each of their scopes and groups below
with people as (
    select
        organisation_code, snapshot_date, ethnic_group, census_group, in_maternity_scope, role_group,
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
        census_group,
        unnest(scopes_of(in_maternity_scope, role_group)) as scope
    from people
),

grouped as (
    select
        organisation_code,
        snapshot_date,
        scope,
        people,
        unnest(rate_groups_of(ethnic_group, census_group)) as ethnic_group
    from scoped
),

group_counts as (
    select organisation_code, snapshot_date, scope, ethnic_group, sum(people)::bigint as headcount
    from grouped
    group by organisation_code, snapshot_date, scope, ethnic_group
),

scopes as (
    select distinct organisation_code, snapshot_date, scope
    from scoped
),

final as (
    select
        s.organisation_code,
        s.snapshot_date,
        s.scope,
        g.ethnic_group,
        coalesce(c.headcount, 0) as headcount
    from scopes as s
    cross join ethnic_groups() as g
    left join group_counts as c
        on c.organisation_code = s.organisation_code
        and c.snapshot_date = s.snapshot_date
        and c.scope = s.scope
        and c.ethnic_group = g.ethnic_group
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), ethnic_group_order(ethnic_group);

comment on table intermediate.headcount_by_group is
    'Headcount (distinct people, bank excluded) at each snapshot by scope and rate group, zeros included.';
comment on column intermediate.headcount_by_group.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.headcount_by_group.snapshot_date is 'Staff-in-post snapshot date.';
comment on column intermediate.headcount_by_group.scope is 'trust, maternity_neonatal or maternity:<role_group>.';
comment on column intermediate.headcount_by_group.ethnic_group is 'white, bme, unknown, or a census group beyond white (asian, black, mixed, other).';
comment on column intermediate.headcount_by_group.headcount is 'Distinct people in the scope and group.';
