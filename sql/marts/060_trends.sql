-- Trends: every indicator value beside the same series at the organisation's previous snapshot and
-- at its snapshot nearest to one year earlier (within 45 days), with the changes (CONTRACT
-- section 2, "Trends").
--
-- A series is (organisation_code, scope, indicator, measure, ethnic_group, breakdown). The
-- comparison snapshots come from marts.snapshot_comparisons; where the series has no row at the
-- chosen snapshot, the date is kept and the value is NULL.
create or replace view marts.wres_indicator_trends as
with

indicators as (
    select * from marts.wres_indicators
),

comparisons as (
    select * from marts.snapshot_comparisons
),

final as (
    select
        i.organisation_code,
        i.snapshot_date,
        i.scope,
        i.indicator,
        i.measure,
        i.ethnic_group,
        i.breakdown,
        i.numerator,
        i.denominator,
        i.value,
        i.ci_low,
        i.ci_high,
        i.interpretation,
        i.suppressed,
        i.source_period,
        c.previous_snapshot_date,
        prev.value as previous_value,
        prev.suppressed as previous_suppressed,
        i.value - prev.value as change_from_previous,
        c.year_earlier_snapshot_date,
        earlier.value as year_earlier_value,
        earlier.suppressed as year_earlier_suppressed,
        i.value - earlier.value as change_from_year_earlier
    from indicators as i
    inner join comparisons as c
        on c.organisation_code = i.organisation_code and c.snapshot_date = i.snapshot_date
    left join indicators as prev
        on
            prev.organisation_code = i.organisation_code
            and prev.snapshot_date = c.previous_snapshot_date
            and prev.scope = i.scope
            and prev.indicator = i.indicator
            and prev.measure = i.measure
            and prev.ethnic_group = i.ethnic_group
            and prev.breakdown is not distinct from i.breakdown
    left join indicators as earlier
        on
            earlier.organisation_code = i.organisation_code
            and earlier.snapshot_date = c.year_earlier_snapshot_date
            and earlier.scope = i.scope
            and earlier.indicator = i.indicator
            and earlier.measure = i.measure
            and earlier.ethnic_group = i.ethnic_group
            and earlier.breakdown is not distinct from i.breakdown
    order by
        i.organisation_code,
        i.snapshot_date,
        i.scope,
        i.indicator,
        i.measure,
        i.ethnic_group,
        i.breakdown
)

select * from final;

comment on view marts.wres_indicator_trends is 'Every marts.wres_indicators row beside the same series (organisation, scope, indicator, measure, ethnic group, breakdown) at the organisation''s previous snapshot and at its snapshot nearest to one year earlier (within 45 days, inclusive; of two equally near, the earlier), with the changes. NULL where there is no such snapshot or the series has no row there.';
comment on column marts.wres_indicator_trends.organisation_code is 'ODS code of the organisation.';
comment on column marts.wres_indicator_trends.snapshot_date is 'Staff-in-post snapshot date the row reports on.';
comment on column marts.wres_indicator_trends.scope is 'trust, maternity_neonatal or maternity:<role group>, as in marts.wres_indicators.';
comment on column marts.wres_indicator_trends.indicator is 'WRES indicator number, 1-9.';
comment on column marts.wres_indicator_trends.measure is 'share, rate, relative_likelihood or difference.';
comment on column marts.wres_indicator_trends.ethnic_group is 'white, bme, unknown, asian, black, mixed, other, white_vs_bme or bme_vs_white, as in marts.wres_indicators.';
comment on column marts.wres_indicator_trends.breakdown is 'Workforce and band (indicator 1), voting or executive (9), excluding_international (2); empty when none.';
comment on column marts.wres_indicator_trends.numerator is 'Numerator count at snapshot_date (NULL for a relative likelihood or difference).';
comment on column marts.wres_indicator_trends.denominator is 'Denominator count at snapshot_date (NULL for a relative likelihood or difference).';
comment on column marts.wres_indicator_trends.value is 'The value at snapshot_date, a fraction or a ratio.';
comment on column marts.wres_indicator_trends.ci_low is 'Lower end of the value''s 95% interval (Wilson, or Katz for a relative likelihood).';
comment on column marts.wres_indicator_trends.ci_high is 'Upper end of the value''s 95% interval.';
comment on column marts.wres_indicator_trends.interpretation is 'Reading of a relative likelihood (no adverse impact, adverse to bme, adverse to white; significant); NULL for other measures.';
comment on column marts.wres_indicator_trends.suppressed is 'True when the value at snapshot_date is hidden in the publication (small counts).';
comment on column marts.wres_indicator_trends.source_period is 'The data behind the value at snapshot_date: window, survey or board file date.';
comment on column marts.wres_indicator_trends.previous_snapshot_date is 'The organisation''s snapshot before snapshot_date; NULL for its first.';
comment on column marts.wres_indicator_trends.previous_value is 'The same series'' value at previous_snapshot_date; NULL when it has none there.';
comment on column marts.wres_indicator_trends.previous_suppressed is 'The suppressed flag of the previous value: a change resting on a hidden value must be hidden too.';
comment on column marts.wres_indicator_trends.change_from_previous is 'value - previous_value (fraction points for shares and rates); NULL when either is NULL.';
comment on column marts.wres_indicator_trends.year_earlier_snapshot_date is 'The organisation''s snapshot nearest to snapshot_date less one year, if within 45 days of it (of two equally near, the earlier); NULL when none is.';
comment on column marts.wres_indicator_trends.year_earlier_value is 'The same series'' value at year_earlier_snapshot_date; NULL when it has none there.';
comment on column marts.wres_indicator_trends.year_earlier_suppressed is 'The suppressed flag of the year-earlier value.';
comment on column marts.wres_indicator_trends.change_from_year_earlier is 'value - year_earlier_value; NULL when either is NULL.';
