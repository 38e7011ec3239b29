-- The reporting window of every staff-in-post snapshot: events dated in (D - 12 months, D].
-- DuckDB month arithmetic clamps to the month's end: 2024-02-29 - 12 months = 2023-02-28, so the
-- window of D = 2024-02-29 starts on 2023-03-01; for D = 2025-03-31 it is 2024-04-01..2025-03-31.
create or replace table intermediate.snapshot_windows as
with snapshots as (
    select distinct organisation_code, snapshot_date
    from staging.snapshots
),

windows as (
    select
        organisation_code,
        snapshot_date,
        (snapshot_date - interval 12 month)::date as window_start_exclusive
    from snapshots
),

final as (
    select
        organisation_code,
        snapshot_date,
        window_start_exclusive,
        (window_start_exclusive + interval 1 day)::date as window_first_day,
        strftime((window_start_exclusive + interval 1 day)::date, '%Y-%m-%d')
            || '..' || strftime(snapshot_date, '%Y-%m-%d') as window_period
    from windows
)

select * from final
order by organisation_code, snapshot_date;

comment on table intermediate.snapshot_windows is
    'One row per staff-in-post snapshot: the 12-month window (D - 12 months, D] its event indicators count.';
comment on column intermediate.snapshot_windows.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.snapshot_windows.snapshot_date is 'The snapshot date D.';
comment on column intermediate.snapshot_windows.window_start_exclusive is
    'D - 12 months (DuckDB month arithmetic); events on this date are outside the window.';
comment on column intermediate.snapshot_windows.window_first_day is 'The first day inside the window.';
comment on column intermediate.snapshot_windows.window_period is
    'The window as source_period text: first day..D, e.g. 2024-04-01..2025-03-31.';
