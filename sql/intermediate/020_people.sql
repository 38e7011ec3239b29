-- People in post at each snapshot: one row per employee, bank assignments left out.
-- A person's band, staff group, workforce, scope, role group and ethnicity come from one
-- representative assignment: the primary one, else the highest band, else the lowest
-- assignment_order (the original assignment id compared as text). Among several assignments
-- flagged primary the same order applies. Someone with only bank assignments is not here.
create or replace table intermediate.people as
with assignments as (
    select *
    from staging.staff_in_post
    where not coalesce(is_bank, false)
),

ranked as (
    select
        *,
        row_number() over (
            partition by organisation_code, snapshot_date, employee_id
            order by
                coalesce(is_primary_assignment, false) desc,
                band_rank desc nulls last,
                assignment_order asc nulls last,
                assignment_id asc
        ) as assignment_rank
    from assignments
),

final as (
    select
        organisation_code,
        snapshot_date,
        employee_id,
        coalesce(ethnic_group, 'unknown') as ethnic_group,
        census_group,
        staff_group,
        workforce,
        coalesce(band, 'Other') as band,
        band_rank::integer as band_rank,
        coalesce(in_maternity_scope, false) as in_maternity_scope,
        role_group
    from ranked
    where assignment_rank = 1
)

-- not sorted: ordering millions of rows by pseudonym costs a third of the model
select * from final;

comment on table intermediate.people is
    'One row per person (distinct employee_id) in post at each snapshot, bank assignments excluded; attributes from the representative assignment (primary, else highest band, else lowest assignment order).';
comment on column intermediate.people.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.people.snapshot_date is 'Staff-in-post snapshot date.';
comment on column intermediate.people.employee_id is 'Pseudonymised employee number.';
comment on column intermediate.people.ethnic_group is 'WRES group: white, bme or unknown.';
comment on column intermediate.people.census_group is 'Census 2021 high-level group (white, asian, black, mixed, other); NULL when unknown.';
comment on column intermediate.people.staff_group is 'Staff group of the representative assignment.';
comment on column intermediate.people.workforce is 'clinical or non_clinical; NULL when the staff group is unrecognised.';
comment on column intermediate.people.band is 'Normalised pay band of the representative assignment.';
comment on column intermediate.people.band_rank is 'Seniority of the band (higher = more senior).';
comment on column intermediate.people.in_maternity_scope is 'True when the representative assignment is in the maternity and neonatal scope.';
comment on column intermediate.people.role_group is 'Maternity role group (midwives, neonatal_nursing, obstetric_medical, support_workers, other); NULL outside the scope.';
