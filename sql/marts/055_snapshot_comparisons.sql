-- The snapshots each snapshot is compared with (CONTRACT section 2, "Trends"): the organisation's
-- previous snapshot, and its snapshot nearest to one year earlier if within 45 days. One
-- definition, read by marts.wres_indicator_trends and marts.representation_trends.
--
-- Grain: organisation_code, snapshot_date; the organisation's snapshots are those
-- marts.wres_indicators holds (every staff-in-post snapshot with people in it).
create or replace view marts.snapshot_comparisons as
with

snapshots as (
    select distinct organisation_code, snapshot_date from marts.wres_indicators
),

previous_snapshots as (
    select
        organisation_code,
        snapshot_date,
        lag(snapshot_date) over (partition by organisation_code order by snapshot_date) as previous_snapshot_date
    from snapshots
),

year_earlier_candidates as (
    -- Snapshots within 45 days (inclusive) of the same date one year earlier; 29 February maps to
    -- 28 February.
    select
        s.organisation_code,
        s.snapshot_date,
        e.snapshot_date as candidate_date,
        abs(e.snapshot_date - (s.snapshot_date - interval 1 year)::date) as days_off
    from snapshots as s
    inner join snapshots as e
        on
            e.organisation_code = s.organisation_code
            and e.snapshot_date < s.snapshot_date
            and abs(e.snapshot_date - (s.snapshot_date - interval 1 year)::date) <= 45
),

year_earlier_snapshots as (
    -- The nearest candidate; of two equally near, the earlier.
    select
        organisation_code,
        snapshot_date,
        arg_min(candidate_date, (days_off, candidate_date)) as year_earlier_snapshot_date
    from year_earlier_candidates
    group by all
),

final as (
    select
        p.organisation_code,
        p.snapshot_date,
        p.previous_snapshot_date,
        y.year_earlier_snapshot_date
    from previous_snapshots as p
    left join year_earlier_snapshots as y
        on y.organisation_code = p.organisation_code and y.snapshot_date = p.snapshot_date
)

select * from final;

comment on view marts.snapshot_comparisons is 'For each organisation''s staff-in-post snapshot, the snapshots its trends compare it with: the previous one, and the one nearest to one year earlier if within 45 days (inclusive; of two equally near, the earlier).';
comment on column marts.snapshot_comparisons.organisation_code is 'ODS code of the organisation.';
comment on column marts.snapshot_comparisons.snapshot_date is 'Staff-in-post snapshot date.';
comment on column marts.snapshot_comparisons.previous_snapshot_date is 'The organisation''s snapshot before snapshot_date; NULL for its first.';
comment on column marts.snapshot_comparisons.year_earlier_snapshot_date is 'The organisation''s snapshot nearest to snapshot_date less one year, if within 45 days of it (of two equally near, the earlier); NULL when none is.';
