-- The nine WRES indicators for every snapshot, organisation and scope (CONTRACT sections 2 and 3):
-- shares and rates with Wilson intervals, relative likelihoods with Katz intervals and their
-- interpretation, and the board differences. Sorted so that the same input gives the same table.
create or replace table marts.wres_indicators as
with rates as (
    select
        organisation_code, snapshot_date, scope, indicator, measure, ethnic_group, breakdown,
        breakdown_order, numerator, denominator, value, ci_low, ci_high,
        null::varchar as interpretation, suppressed, source_period
    from intermediate.indicator_rates
),

relative_likelihoods as (
    select
        organisation_code, snapshot_date, scope, indicator, measure, ethnic_group, breakdown,
        breakdown_order, null::bigint as numerator, null::bigint as denominator, value, ci_low, ci_high,
        interpretation, suppressed, source_period
    from intermediate.relative_likelihoods
),

board_differences as (
    select
        organisation_code, snapshot_date, scope, indicator, measure, ethnic_group, breakdown,
        breakdown_order, null::bigint as numerator, null::bigint as denominator, value,
        null::double as ci_low, null::double as ci_high, null::varchar as interpretation,
        suppressed, source_period
    from intermediate.board_differences
),

unioned as (
    select * from rates
    union all
    select * from relative_likelihoods
    union all
    select * from board_differences
),

final as (
    select
        organisation_code::varchar as organisation_code,
        snapshot_date::date as snapshot_date,
        scope::varchar as scope,
        indicator::integer as indicator,
        measure::varchar as measure,
        ethnic_group::varchar as ethnic_group,
        breakdown::varchar as breakdown,
        numerator::bigint as numerator,
        denominator::bigint as denominator,
        value::double as value,
        ci_low::double as ci_low,
        ci_high::double as ci_high,
        interpretation::varchar as interpretation,
        suppressed::boolean as suppressed,
        source_period::varchar as source_period,
        breakdown_order
    from unioned
)

select * exclude (breakdown_order)
from final
order by
    organisation_code,
    snapshot_date,
    scope_order(scope),
    scope,
    indicator,
    breakdown_order,
    breakdown,
    case measure when 'share' then 1 when 'rate' then 1 when 'relative_likelihood' then 2 else 3 end,
    ethnic_group_order(ethnic_group),
    ethnic_group;

comment on table marts.wres_indicators is
    'The nine WRES indicators per organisation, snapshot date and scope (trust, maternity_neonatal, maternity:<role_group>), with 95% intervals, interpretation and primary suppression. Exact values: publications apply disclosure control.';
comment on column marts.wres_indicators.organisation_code is 'ODS code of the organisation.';
comment on column marts.wres_indicators.snapshot_date is 'Staff-in-post snapshot date D the row reports on.';
comment on column marts.wres_indicators.scope is 'trust, maternity_neonatal, or a maternity role group maternity:<role_group> (indicator 9: trust only).';
comment on column marts.wres_indicators.indicator is 'WRES indicator number, 1-9.';
comment on column marts.wres_indicators.measure is 'share (1, 9), rate (2-8), relative_likelihood (2-4) or difference (9).';
comment on column marts.wres_indicators.ethnic_group is 'white, bme, unknown or a census group (asian, black, mixed, other) for shares and rates; white_vs_bme (2, 4) or bme_vs_white (3) for a relative likelihood; bme for indicator 9.';
comment on column marts.wres_indicators.breakdown is 'Empty when none; indicator 1 <workforce>|<band> (e.g. all|all, clinical|Band 5); indicator 2 also excluding_international; indicator 9 voting or executive.';
comment on column marts.wres_indicators.numerator is 'Count meeting the indicator; NULL for relative likelihoods and differences.';
comment on column marts.wres_indicators.denominator is 'Count the share or rate is over; NULL for relative likelihoods and differences.';
comment on column marts.wres_indicators.value is 'A fraction (0.25, not 25), a relative likelihood or a difference of fractions; NULL when there is no value.';
comment on column marts.wres_indicators.ci_low is '95% interval, lower bound: Wilson score for shares and rates, Katz log for relative likelihoods; NULL when undefined.';
comment on column marts.wres_indicators.ci_high is '95% interval, upper bound: Wilson score for shares and rates, Katz log for relative likelihoods; NULL when undefined.';
comment on column marts.wres_indicators.interpretation is 'For relative likelihoods: no adverse impact, adverse to bme or adverse to white, then "; significant" when the interval excludes 1. NULL on other rows.';
comment on column marts.wres_indicators.suppressed is 'Primary disclosure rule: a count of 1-4 (min_count-1) in the row or, for a relative likelihood, in any of its four counts; a survey base under 11; a difference whose shares are suppressed.';
comment on column marts.wres_indicators.source_period is 'The data behind the row: the snapshot date (1), the window first day..D (2-4), NSS <year> (5-8) or the board file date (9).';
