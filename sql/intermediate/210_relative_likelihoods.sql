-- Relative likelihoods of indicators 2-4, each oriented so that above 1 is worse for bme staff:
--   2: white_vs_bme = rate(white) / rate(bme)   (appointed from shortlisting)
--   3: bme_vs_white = rate(bme) / rate(white)   (entering a formal disciplinary investigation)
--   4: white_vs_bme = rate(white) / rate(bme)   (accessing non-mandatory training)
-- No value when the second rate is 0; Katz 95% interval empty when any of the four counts is 0;
-- suppressed when any of the four counts is 1 to min_count - 1.
create or replace table intermediate.relative_likelihoods as
with rates as (
    select *
    from intermediate.indicator_rates
    where indicator in (2, 3, 4) and ethnic_group in ('white', 'bme')
),

pairs as (
    select
        organisation_code,
        snapshot_date,
        scope,
        indicator,
        breakdown,
        breakdown_order,
        source_period,
        max(numerator) filter (where ethnic_group = 'white') as white_numerator,
        max(denominator) filter (where ethnic_group = 'white') as white_denominator,
        max(numerator) filter (where ethnic_group = 'bme') as bme_numerator,
        max(denominator) filter (where ethnic_group = 'bme') as bme_denominator
    from rates
    group by organisation_code, snapshot_date, scope, indicator, breakdown, breakdown_order, source_period
),

oriented as (
    select
        *,
        case when indicator = 3 then 'bme_vs_white' else 'white_vs_bme' end as comparison,
        case when indicator = 3 then bme_numerator else white_numerator end as a,
        case when indicator = 3 then bme_denominator else white_denominator end as n1,
        case when indicator = 3 then white_numerator else bme_numerator end as c,
        case when indicator = 3 then white_denominator else bme_denominator end as n2
    from pairs
),

estimated as (
    select
        *,
        relative_likelihood(a, n1, c, n2) as rl,
        katz_low(a, n1, c, n2) as rl_low,
        katz_high(a, n1, c, n2) as rl_high
    from oriented
),

final as (
    select
        organisation_code,
        snapshot_date,
        scope,
        indicator,
        'relative_likelihood' as measure,
        comparison as ethnic_group,
        breakdown,
        breakdown_order,
        white_numerator,
        white_denominator,
        bme_numerator,
        bme_denominator,
        rl as value,
        rl_low as ci_low,
        rl_high as ci_high,
        interpret_rl(rl, rl_low, rl_high) as interpretation,
        is_small_count(white_numerator) or is_small_count(white_denominator)
            or is_small_count(bme_numerator) or is_small_count(bme_denominator) as suppressed,
        source_period
    from estimated
)

select * from final
order by organisation_code, snapshot_date, scope_order(scope), indicator, breakdown_order;

comment on table intermediate.relative_likelihoods is
    'Relative likelihoods of WRES indicators 2-4 (above 1 = worse for bme staff), Katz 95% interval, interpretation and primary suppression flag.';
comment on column intermediate.relative_likelihoods.organisation_code is 'ODS code of the organisation.';
comment on column intermediate.relative_likelihoods.snapshot_date is 'Staff-in-post snapshot date D.';
comment on column intermediate.relative_likelihoods.scope is 'trust, maternity_neonatal or maternity:<role_group>.';
comment on column intermediate.relative_likelihoods.indicator is 'WRES indicator number (2-4).';
comment on column intermediate.relative_likelihoods.measure is 'relative_likelihood.';
comment on column intermediate.relative_likelihoods.ethnic_group is 'white_vs_bme (2, 4) or bme_vs_white (3): which rate is over which.';
comment on column intermediate.relative_likelihoods.breakdown is 'Breakdown of the rates compared.';
comment on column intermediate.relative_likelihoods.breakdown_order is 'Sort key of the breakdown.';
comment on column intermediate.relative_likelihoods.white_numerator is 'Numerator of the white rate.';
comment on column intermediate.relative_likelihoods.white_denominator is 'Denominator of the white rate.';
comment on column intermediate.relative_likelihoods.bme_numerator is 'Numerator of the bme rate.';
comment on column intermediate.relative_likelihoods.bme_denominator is 'Denominator of the bme rate.';
comment on column intermediate.relative_likelihoods.value is 'The relative likelihood; NULL when the rate it is divided by is 0.';
comment on column intermediate.relative_likelihoods.ci_low is 'Katz log 95% interval, lower bound; NULL when any of the four counts is 0.';
comment on column intermediate.relative_likelihoods.ci_high is 'Katz log 95% interval, upper bound; NULL when any of the four counts is 0.';
comment on column intermediate.relative_likelihoods.interpretation is 'no adverse impact / adverse to bme / adverse to white, with "; significant" when the interval excludes 1.';
comment on column intermediate.relative_likelihoods.suppressed is 'True when any of the four counts is 1 to min_count-1.';
comment on column intermediate.relative_likelihoods.source_period is 'The window or data behind the rates.';
