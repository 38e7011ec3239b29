-- Indicator 9 difference: the board's bme share (voting, executive) minus the bme share of the
-- overall workforce at D (trust scope, all|all: bme people over all people, unknown included).
-- Suppressed when either share it rests on is suppressed.
create or replace table intermediate.board_differences as
with board_shares as (
    select *
    from intermediate.indicator_rates
    where indicator = 9 and measure = 'share'
),

workforce_shares as (
    select organisation_code, snapshot_date, value as workforce_share, suppressed as workforce_suppressed
    from intermediate.indicator_rates
    where indicator = 1 and scope = 'trust' and breakdown = 'all|all' and ethnic_group = 'bme'
),

final as (
    select
        b.organisation_code,
        b.snapshot_date,
        b.scope,
        b.indicator,
        'difference' as measure,
        b.ethnic_group,
        b.breakdown,
        b.breakdown_order,
        b.value as board_share,
        w.workforce_share,
        b.value - w.workforce_share as value,
        b.suppressed or coalesce(w.workforce_suppressed, false) as suppressed,
        b.source_period
    from board_shares as b
    left join workforce_shares as w using (organisation_code, snapshot_date)
)

select * from final
order by organisation_code, snapshot_date, breakdown_order;

comment on table intermediate.board_differences is
    'Indicator 9 difference: board bme share (voting, executive) minus the bme share of the overall workforce at D.';
comment on column intermediate.board_differences.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.board_differences.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.board_differences.scope is 'trust.';
comment on column intermediate.board_differences.indicator is 'WRES indicator number (9).';
comment on column intermediate.board_differences.measure is 'difference.';
comment on column intermediate.board_differences.ethnic_group is 'bme.';
comment on column intermediate.board_differences.breakdown is 'voting or executive.';
comment on column intermediate.board_differences.breakdown_order is 'Sort key of the breakdown.';
comment on column intermediate.board_differences.board_share is 'The bme share of the board membership.';
comment on column intermediate.board_differences.workforce_share is 'The bme share of the trust workforce at D (all|all), unknown included in the base.';
comment on column intermediate.board_differences.value is 'board_share - workforce_share, a fraction; NULL when either is.';
comment on column intermediate.board_differences.suppressed is 'True when the board share or the workforce share is suppressed.';
comment on column intermediate.board_differences.source_period is 'The board file date (ISO).';
