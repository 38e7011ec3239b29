-- Indicator 9, board: bme members over all members (unknown ethnicity included) of the voting
-- membership and of the executive membership, from the newest board file dated on or before D.
-- Trust scope only.
create or replace table intermediate.board_counts as
with windows as (
    select * from intermediate.snapshot_windows
),

board_files as (
    select distinct organisation_code, board_date
    from staging.board
),

board_for_snapshot as (
    select w.organisation_code, w.snapshot_date, max(b.board_date) as board_date
    from windows as w
    join board_files as b
        on b.organisation_code = w.organisation_code
        and b.board_date <= w.snapshot_date
    group by w.organisation_code, w.snapshot_date
),

members as (
    select f.organisation_code, f.snapshot_date, f.board_date, m.member_id, m.ethnic_group, m.voting, m.executive
    from board_for_snapshot as f
    join staging.board as m using (organisation_code, board_date)
),

memberships as (
    select *, 'voting' as breakdown, 1 as breakdown_order, coalesce(voting, false) as is_member
    from members
    union all
    select *, 'executive', 2, coalesce(executive, false)
    from members
),

final as (
    select
        organisation_code,
        snapshot_date,
        'trust' as scope,
        9 as indicator,
        'share' as measure,
        'bme' as ethnic_group,
        breakdown,
        breakdown_order,
        count(distinct member_id) filter (where is_member and ethnic_group = 'bme') as numerator,
        count(distinct member_id) filter (where is_member) as denominator,
        strftime(board_date, '%Y-%m-%d') as source_period
    from memberships
    group by organisation_code, snapshot_date, board_date, breakdown, breakdown_order
)

select * from final
order by organisation_code, snapshot_date, breakdown_order;

comment on table intermediate.board_counts is
    'Indicator 9 counts: bme board members over all voting / executive members of the newest board file dated on or before D.';
comment on column intermediate.board_counts.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.board_counts.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.board_counts.scope is 'trust (indicator 9 has no other scope).';
comment on column intermediate.board_counts.indicator is 'WRES indicator number (9).';
comment on column intermediate.board_counts.measure is 'share.';
comment on column intermediate.board_counts.ethnic_group is 'bme.';
comment on column intermediate.board_counts.breakdown is 'voting or executive.';
comment on column intermediate.board_counts.breakdown_order is 'Sort key of the breakdown (voting 1, executive 2).';
comment on column intermediate.board_counts.numerator is 'bme members of the membership.';
comment on column intermediate.board_counts.denominator is 'All members of the membership, unknown ethnicity included.';
comment on column intermediate.board_counts.source_period is 'The board file date (ISO).';
