-- Representation trends: every marts.representation row beside the same group at the
-- organisation's previous snapshot and at its snapshot nearest to one year earlier (within 45
-- days), with the changes in the workforce share and in the ratio (CONTRACT section 2, "Trends":
-- every value is set beside the previous snapshot's and the year-earlier one's).
--
-- A series is (organisation_code, scope, reference_population, ethnic_group). The comparison
-- snapshots come from marts.snapshot_comparisons; where the series has no row at the chosen
-- snapshot (the scope held no one then, or the reference population did not cover the
-- organisation), the date is kept and the values are NULL.
create or replace view marts.representation_trends as
with

representation as (
    select * from marts.representation
),

comparisons as (
    select * from marts.snapshot_comparisons
),

final as (
    select
        r.organisation_code,
        r.snapshot_date,
        r.scope,
        r.reference_population,
        r.ethnic_group,
        r.headcount,
        r.workforce_share,
        r.reference_share,
        r.ratio,
        r.ci_low,
        r.ci_high,
        r.suppressed,
        c.previous_snapshot_date,
        prev.workforce_share as previous_workforce_share,
        prev.ratio as previous_ratio,
        prev.suppressed as previous_suppressed,
        r.workforce_share - prev.workforce_share as share_change_from_previous,
        r.ratio - prev.ratio as ratio_change_from_previous,
        c.year_earlier_snapshot_date,
        earlier.workforce_share as year_earlier_workforce_share,
        earlier.ratio as year_earlier_ratio,
        earlier.suppressed as year_earlier_suppressed,
        r.workforce_share - earlier.workforce_share as share_change_from_year_earlier,
        r.ratio - earlier.ratio as ratio_change_from_year_earlier
    from representation as r
    inner join comparisons as c
        on c.organisation_code = r.organisation_code and c.snapshot_date = r.snapshot_date
    left join representation as prev
        on
            prev.organisation_code = r.organisation_code
            and prev.snapshot_date = c.previous_snapshot_date
            and prev.scope = r.scope
            and prev.reference_population = r.reference_population
            and prev.ethnic_group = r.ethnic_group
    left join representation as earlier
        on
            earlier.organisation_code = r.organisation_code
            and earlier.snapshot_date = c.year_earlier_snapshot_date
            and earlier.scope = r.scope
            and earlier.reference_population = r.reference_population
            and earlier.ethnic_group = r.ethnic_group
    order by
        r.organisation_code,
        r.snapshot_date,
        scope_order(r.scope),
        r.reference_population != 'census2021',
        r.reference_population,
        r.ethnic_group = 'Other',
        r.ethnic_group
)

select * from final;

comment on view marts.representation_trends is 'Every marts.representation row beside the same series (organisation, scope, reference population, census group) at the organisation''s previous snapshot and at its snapshot nearest to one year earlier (marts.snapshot_comparisons), with the changes in the workforce share and the ratio. NULL where there is no such snapshot or the series has no row there. Exact values: suppressed flags of each side say what a publication would hide.';
comment on column marts.representation_trends.organisation_code is 'ODS code of the organisation.';
comment on column marts.representation_trends.snapshot_date is 'Staff-in-post snapshot date the row reports on.';
comment on column marts.representation_trends.scope is 'trust or maternity_neonatal, as in marts.representation.';
comment on column marts.representation_trends.reference_population is 'census2021 or the NAME of a reference_NAME.csv, as in marts.representation.';
comment on column marts.representation_trends.ethnic_group is 'Census 2021 high-level group: Asian, Black, Mixed, White or Other.';
comment on column marts.representation_trends.headcount is 'People of the group in the scope at snapshot_date (bank left out).';
comment on column marts.representation_trends.workforce_share is 'The group''s share of the scope''s headcount with known ethnicity at snapshot_date, a fraction.';
comment on column marts.representation_trends.reference_share is 'The group''s share of the reference population, a fraction.';
comment on column marts.representation_trends.ratio is 'workforce_share / reference_share at snapshot_date.';
comment on column marts.representation_trends.ci_low is 'Lower end of the ratio''s 95% interval (Wilson bound of the share over the reference share).';
comment on column marts.representation_trends.ci_high is 'Upper end of the ratio''s 95% interval.';
comment on column marts.representation_trends.suppressed is 'True when the row at snapshot_date is hidden in the publication (small counts).';
comment on column marts.representation_trends.previous_snapshot_date is 'The organisation''s snapshot before snapshot_date; NULL for its first.';
comment on column marts.representation_trends.previous_workforce_share is 'The same series'' workforce share at previous_snapshot_date; NULL when it has none there.';
comment on column marts.representation_trends.previous_ratio is 'The same series'' ratio at previous_snapshot_date; NULL when it has none there.';
comment on column marts.representation_trends.previous_suppressed is 'The suppressed flag of the previous row: a change resting on a hidden value must be hidden too.';
comment on column marts.representation_trends.share_change_from_previous is 'workforce_share - previous_workforce_share (fraction points); NULL when either is NULL.';
comment on column marts.representation_trends.ratio_change_from_previous is 'ratio - previous_ratio; NULL when either is NULL.';
comment on column marts.representation_trends.year_earlier_snapshot_date is 'The organisation''s snapshot nearest to snapshot_date less one year, if within 45 days of it (of two equally near, the earlier); NULL when none is.';
comment on column marts.representation_trends.year_earlier_workforce_share is 'The same series'' workforce share at year_earlier_snapshot_date; NULL when it has none there.';
comment on column marts.representation_trends.year_earlier_ratio is 'The same series'' ratio at year_earlier_snapshot_date; NULL when it has none there.';
comment on column marts.representation_trends.year_earlier_suppressed is 'The suppressed flag of the year-earlier row.';
comment on column marts.representation_trends.share_change_from_year_earlier is 'workforce_share - year_earlier_workforce_share (fraction points); NULL when either is NULL.';
comment on column marts.representation_trends.ratio_change_from_year_earlier is 'ratio - year_earlier_ratio; NULL when either is NULL.';
