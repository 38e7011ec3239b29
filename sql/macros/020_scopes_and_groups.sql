-- Scopes and ethnic groups of the indicator rows: the one definition of which rows a person,
-- application or respondent counts in, and of the order rows are sorted in.

-- The scopes a row counts in: always 'trust'; 'maternity_neonatal' when in the maternity and
-- neonatal scope; and its role group 'maternity:<role_group>' within that scope.
--   scopes_of(true, 'midwives') = ['trust', 'maternity_neonatal', 'maternity:midwives']
--   scopes_of(false, NULL)      = ['trust']
create or replace macro scopes_of(in_maternity_scope, role_group) as (
    list_concat(
        ['trust'],
        case when coalesce(in_maternity_scope, false) then ['maternity_neonatal'] else [] end,
        case when coalesce(in_maternity_scope, false) and role_group is not null
            then ['maternity:' || role_group] else [] end
    )
);

-- Sort position of a scope: trust, the whole maternity scope, then the role groups.
create or replace macro scope_order(scope) as (
    case scope
        when 'trust' then 1
        when 'maternity_neonatal' then 2
        when 'maternity:midwives' then 3
        when 'maternity:neonatal_nursing' then 4
        when 'maternity:obstetric_medical' then 5
        when 'maternity:support_workers' then 6
        when 'maternity:other' then 7
        else 8
    end
);

-- The rate groups a person counts in: their WRES group (white, bme, unknown; NULL read as
-- unknown) and, beyond white, their census 2021 high-level group (asian, black, mixed, other).
--   rate_groups_of('bme', 'black')  = ['bme', 'black']
--   rate_groups_of('white', 'white') = ['white']
create or replace macro rate_groups_of(ethnic_group, census_group) as (
    list_concat(
        [coalesce(ethnic_group, 'unknown')],
        case when census_group in ('asian', 'black', 'mixed', 'other') then [census_group] else [] end
    )
);

-- Sort position of any indicator row's ethnic_group (the relative likelihoods last).
create or replace macro ethnic_group_order(ethnic_group) as (
    case ethnic_group
        when 'white' then 1 when 'bme' then 2 when 'unknown' then 3 when 'asian' then 4
        when 'black' then 5 when 'mixed' then 6 when 'other' then 7 when 'white_vs_bme' then 8
        when 'bme_vs_white' then 9 else 10
    end
);

-- The groups a rate or share row can carry. Indicators 1 and 9 use the WRES groups only
-- (is_wres_group); the rates of indicators 2-8 use all seven, each emitted even when its count is 0.
create or replace macro ethnic_groups() as table
    select ethnic_group, ethnic_group_order(ethnic_group) as group_order,
        ethnic_group in ('white', 'bme', 'unknown') as is_wres_group
    from (values ('white'), ('bme'), ('unknown'), ('asian'), ('black'), ('mixed'), ('other')) as g(ethnic_group);
