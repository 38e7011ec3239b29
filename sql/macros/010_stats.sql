-- The one definition of each statistic the indicators use (CONTRACT section 2, "Uncertainty").
--
-- Settings come from staging.settings through setting('key'). The subquery inside setting() is
-- uncorrelated, so DuckDB evaluates it once per query and joins the constant to every row:
-- measured on 1,000,000 rows, wilson_low() reading setting('z') ran in about 0.02 s, the same
-- as with z as a literal, so the macros read the settings directly.
--
-- Every division is guarded: DuckDB 2 returns inf (not NULL) for x / 0, and NaN for 0.0 / 0.0.

-- z for a 95% interval: the 97.5th percentile of the normal distribution (1.959964).
create or replace macro stats_z() as setting('z')::double;

-- x / n as a fraction; NULL when n is 0 or NULL ("no value", never inf or NaN).
create or replace macro safe_fraction(x, n) as (
    case when n > 0 then x::double / n::double end
);

-- Wilson score interval for x successes in n trials, lower bound.
--   centre = (p + z^2 / 2n) / (1 + z^2 / n)
--   half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
-- Defined for x = 0 (lower bound 0) and x = n (upper bound 1); NULL when n = 0, or when x lies
-- outside 0..n (indicator 3 can count leavers above its headcount: a rate, but no binomial).
-- The bounds at x = 0 (lower) and x = n (upper) are exactly 0 and 1, set so rather than left to
-- rounding (the formula gives 0.9999999999999999 for 10 of 10).
create or replace macro wilson_low(x, n) as (
    case when n > 0 and x >= 0 and x <= n then
        case when x = 0 then 0.0 else (
            x::double / n + stats_z() ** 2 / (2.0 * n)
            - stats_z() * sqrt((x::double / n) * (1 - x::double / n) / n + stats_z() ** 2 / (4.0 * n * n))
        ) / (1 + stats_z() ** 2 / n) end
    end
);

-- Wilson score interval, upper bound (see wilson_low).
create or replace macro wilson_high(x, n) as (
    case when n > 0 and x >= 0 and x <= n then
        case when x = n then 1.0 else (
            x::double / n + stats_z() ** 2 / (2.0 * n)
            + stats_z() * sqrt((x::double / n) * (1 - x::double / n) / n + stats_z() ** 2 / (4.0 * n * n))
        ) / (1 + stats_z() ** 2 / n) end
    end
);

-- Relative likelihood (a / n1) / (c / n2): the rate of the first group over the rate of the
-- second. NULL when either denominator is 0 or the second rate is 0 (no value).
-- Computed as (a * n2) / (c * n1): one rounding of exact products, so that a ratio that is
-- exactly 0.80 or 1.25 comes out as those numbers and meets the interpretation's bounds (two
-- rates divided, (12/20) / (15/20) gives 0.7999999999999999).
create or replace macro relative_likelihood(a, n1, c, n2) as (
    case when n1 > 0 and n2 > 0 and c > 0 then (a::double * n2) / (c::double * n1) end
);

-- Katz log interval of a relative likelihood (a / n1) / (c / n2):
--   exp(ln RL -/+ z * sqrt(1/a - 1/n1 + 1/c - 1/n2))
-- NULL when any of the four counts is 0 (CONTRACT), and only where the formula itself has no
-- answer: a negative variance, possible when a count exceeds its denominator (indicator 3 counts
-- leavers above the headcount: 3 of 2 against 2 of 10 has variance 1/3 - 1/2 + 1/2 - 1/10 > 0 and
-- an interval, 2.91 to 19.33).
create or replace macro katz_variance(a, n1, c, n2) as (
    1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2
);

create or replace macro katz_low(a, n1, c, n2) as (
    case when a > 0 and n1 > 0 and c > 0 and n2 > 0 and katz_variance(a, n1, c, n2) >= 0 then exp(
        ln((a::double / n1) / (c::double / n2))
        - stats_z() * sqrt(katz_variance(a, n1, c, n2))
    ) end
);

-- Katz log interval, upper bound (see katz_low).
create or replace macro katz_high(a, n1, c, n2) as (
    case when a > 0 and n1 > 0 and c > 0 and n2 > 0 and katz_variance(a, n1, c, n2) >= 0 then exp(
        ln((a::double / n1) / (c::double / n2))
        + stats_z() * sqrt(katz_variance(a, n1, c, n2))
    ) end
);

-- Interpretation of a relative likelihood whose orientation puts "worse for bme staff" above 1:
-- 'no adverse impact' within [rl_lower, rl_upper] (inclusive), 'adverse to bme' above,
-- 'adverse to white' below; then '; significant' when the interval excludes 1. NULL when rl is.
--   interpret_rl(1.50, 0.52, 4.31) = 'adverse to bme'
--   interpret_rl(3.21, 2.10, 4.90) = 'adverse to bme; significant'
create or replace macro interpret_rl(rl, lo, hi) as (
    case when rl is not null then
        case
            when rl >= setting('rl_lower')::double and rl <= setting('rl_upper')::double
                then 'no adverse impact'
            when rl > setting('rl_upper')::double then 'adverse to bme'
            else 'adverse to white'
        end
        || case when lo > 1 or hi < 1 then '; significant' else '' end
    end
);

-- Primary disclosure rule: a count from 1 to min_count - 1 (default 1-4) is disclosive.
-- 0 and NULL are not.
create or replace macro is_small_count(n) as (
    coalesce(n >= 1 and n < setting('min_count')::integer, false)
);

-- A staff-survey rate resting on fewer than survey_min_denominator answers (default 11) is
-- hidden; a denominator of 0 is below the threshold too (its rate is NULL anyway).
create or replace macro is_small_survey_base(n) as (
    coalesce(n < setting('survey_min_denominator')::integer, true)
);
