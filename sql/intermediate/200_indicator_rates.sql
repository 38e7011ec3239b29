-- Every share and rate of indicators 1-9 with its value, 95% Wilson interval and primary
-- suppression flag. value and interval are NULL when the denominator is 0.
-- suppressed: numerator or denominator is a count from 1 to min_count - 1 (default 1-4); for
-- the survey indicators 5-8 also when the denominator is under survey_min_denominator (default 11).
create or replace table intermediate.indicator_rates as
with counts as (
    select * from intermediate.indicator1_counts
    union all by name
    select * from intermediate.indicator2_counts
    union all by name
    select * from intermediate.indicator3_counts
    union all by name
    select * from intermediate.indicator4_counts
    union all by name
    select * from intermediate.survey_counts
    union all by name
    select * from intermediate.board_counts
),

final as (
    select
        organisation_code,
        snapshot_date,
        scope,
        indicator::integer as indicator,
        measure,
        ethnic_group,
        breakdown,
        breakdown_order::integer as breakdown_order,
        numerator::bigint as numerator,
        denominator::bigint as denominator,
        safe_fraction(numerator, denominator) as value,
        wilson_low(numerator, denominator) as ci_low,
        wilson_high(numerator, denominator) as ci_high,
        is_small_count(numerator)
            or is_small_count(denominator)
            or (indicator between 5 and 8 and is_small_survey_base(denominator)) as suppressed,
        source_period
    from counts
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), indicator, breakdown_order, breakdown,
    ethnic_group_order(ethnic_group);

comment on table intermediate.indicator_rates is
    'Every share and rate of WRES indicators 1-9 with its Wilson 95% interval and primary suppression flag.';
comment on column intermediate.indicator_rates.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.indicator_rates.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.indicator_rates.scope is 'trust, maternity_neonatal or maternity:<role_group>.';
comment on column intermediate.indicator_rates.indicator is 'WRES indicator number (1-9).';
comment on column intermediate.indicator_rates.measure is 'share (1, 9) or rate (2-8).';
comment on column intermediate.indicator_rates.ethnic_group is 'white, bme, unknown, or a census group beyond white (2-8).';
comment on column intermediate.indicator_rates.breakdown is 'Breakdown of the row (see marts.wres_indicators).';
comment on column intermediate.indicator_rates.breakdown_order is 'Sort key of the breakdown within the indicator.';
comment on column intermediate.indicator_rates.numerator is 'Count of the group meeting the indicator.';
comment on column intermediate.indicator_rates.denominator is 'Count of the group the rate is over.';
comment on column intermediate.indicator_rates.value is 'numerator / denominator; NULL when the denominator is 0.';
comment on column intermediate.indicator_rates.ci_low is 'Wilson score 95% interval, lower bound; NULL when the denominator is 0 or the numerator exceeds it.';
comment on column intermediate.indicator_rates.ci_high is 'Wilson score 95% interval, upper bound; NULL when the denominator is 0 or the numerator exceeds it.';
comment on column intermediate.indicator_rates.suppressed is 'Primary suppression: a count of 1 to min_count-1, or a survey base under survey_min_denominator.';
comment on column intermediate.indicator_rates.source_period is 'The data behind the row: snapshot date, window, survey or board date.';
