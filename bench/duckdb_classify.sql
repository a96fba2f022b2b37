-- DuckDB baseline for issue 6: the classification `wacost estimate` does, written
-- as an analyst would write it in SQL over the same CSV log, for `bench/compare.sh`.
-- `__LOG__` is replaced by the path of the CSV (columns of examples/gen_log.rs:
-- timestamp,direction,contact,type,category,id,status,entry_point,business_number).
--
-- What it does, per message, like wacost:
--   * parses every row and its RFC 3339 timestamp (UTC, as `wacost --tz UTC`);
--   * orders each contact's messages in time, inbound before outbound in the
--     same second, and with a window per contact finds the last inbound message
--     (24-hour customer service window, counted in `in_window`) and the last
--     entry-point (`ctwa`) inbound;
--   * free entry point: the first delivered outbound message within 24 h of an
--     entry-point message opens a 72-hour window in which every outbound message
--     is free (a window per contact and entry point finds that reply, a third
--     window per contact carries the last window opened forward);
--   * 1,000 free service (non-template) messages per business number per month
--     (a window per business number and month), as era pmp-2026-10 does;
--   * maps each message's contact to a market by longest calling-code prefix
--     (a small VALUES table: the markets gen_log generates plus a few others);
--   * joins a per-market per-category rate table (the bundled USD card of
--     2026-10-01 for those markets; `n/a`/`unknown` cells are absent, and a
--     message that needs one is counted as rejected, as wacost does);
--   * failed messages are never billed;
--   * sums exact DECIMAL(18,4) cost by month x market x category, with counts of
--     billable, free, failed, rejected and in-window messages.
-- On gen_log's months this gives wacost's lines exactly (checked by
-- bench/compare.sh: same counts and total).
--
-- What it does NOT do (so it is, if anything, less work than wacost):
--   * no eras: the whole log is priced with pmp-2026-10's rules and the one
--     2026-10-01 rate card (gen_log's default month is October 2026); wacost
--     looks up the era, the market-map snapshot and the rate card by each
--     message's date, and also implements conversation-based pricing (before
--     2025-07) and free in-window utility/service (2025-07..2026-09);
--   * no time zones (UTC only), no volume tiers, no tier seeds, no rule switches;
--   * no validation of any field (malformed rows abort the query instead of
--     being rejected with file, line and reason), no phone number parsing beyond
--     stripping `+`, no masking, no webhook input, no Meta `pricing` comparison;
--   * the market table is a handful of prefixes, not the dated map of ~250
--     prefixes including NANP area codes.
-- Needs DuckDB 1.1 or later (`AS NOT MATERIALIZED`).
-- Written for speed within reason: the log CTE is not materialized and markets
-- are joined per message (a DISTINCT-contacts CTE made DuckDB materialize the
-- log and took about twice as long).
WITH
markets(prefix, market) AS (
    VALUES ('1', 'North America'), ('1787', 'Rest of Latin America'),
           ('1809', 'Rest of Latin America'), ('1876', 'Rest of Latin America'),
           ('20', 'Egypt'), ('27', 'South Africa'), ('34', 'Spain'), ('39', 'Italy'),
           ('44', 'United Kingdom'), ('49', 'Germany'), ('52', 'Mexico'),
           ('54', 'Argentina'), ('55', 'Brazil'), ('56', 'Chile'), ('57', 'Colombia'),
           ('62', 'Indonesia'), ('91', 'India'), ('234', 'Nigeria'),
           ('966', 'Saudi Arabia'), ('971', 'United Arab Emirates')
),
rates(market, category, rate) AS (
    SELECT market, category, CAST(rate AS DECIMAL(18, 4)) FROM (VALUES
        ('Brazil', 'marketing', '0.0625'), ('Brazil', 'utility', '0.0068'),
        ('Brazil', 'authentication', '0.0068'), ('Brazil', 'service', '0.0068'),
        ('Colombia', 'marketing', '0.0125'), ('Colombia', 'utility', '0.0008'),
        ('Colombia', 'authentication', '0.0008'), ('Colombia', 'service', '0.0008'),
        ('Germany', 'marketing', '0.1365'), ('Germany', 'utility', '0.055'),
        ('Germany', 'authentication', '0.055'), ('Germany', 'service', '0.055'),
        ('India', 'marketing', '0.0118'), ('India', 'utility', '0.0014'),
        ('India', 'authentication', '0.0014'), ('India', 'service', '0.0014'),
        ('India', 'authentication_international', '0.0304'),
        ('Indonesia', 'marketing', '0.0411'), ('Indonesia', 'utility', '0.025'),
        ('Indonesia', 'authentication', '0.025'), ('Indonesia', 'service', '0.025'),
        ('Indonesia', 'authentication_international', '0.136'),
        ('Mexico', 'marketing', '0.0397'), ('Mexico', 'utility', '0.0085'),
        ('Mexico', 'authentication', '0.0085'), ('Mexico', 'service', '0.0085'),
        ('North America', 'marketing', '0.025'), ('North America', 'utility', '0.0034'),
        ('North America', 'authentication', '0.0034'), ('North America', 'service', '0.0034'),
        ('United Kingdom', 'marketing', '0.0635'), ('United Kingdom', 'utility', '0.022'),
        ('United Kingdom', 'authentication', '0.022'), ('United Kingdom', 'service', '0.022')
    ) AS t(market, category, rate)
),
log AS NOT MATERIALIZED (
    SELECT
        "timestamp" AS ts,
        direction = 'outbound' AS outbound,
        contact,
        CASE WHEN type = 'template' THEN coalesce(category, 'service') ELSE 'service' END AS category,
        coalesce(status = 'failed', false) AS failed,
        coalesce(entry_point, '') NOT IN ('', 'none', 'false', '0', 'no') AS entry_point,
        business_number,
        date_trunc('month', "timestamp") AS month
    FROM read_csv('__LOG__', header = true, auto_detect = false, delim = ',', quote = '"',
        columns = {
            'timestamp': 'TIMESTAMP', 'direction': 'VARCHAR', 'contact': 'VARCHAR',
            'type': 'VARCHAR', 'category': 'VARCHAR', 'id': 'VARCHAR', 'status': 'VARCHAR',
            'entry_point': 'VARCHAR', 'business_number': 'VARCHAR'})
),
windows AS (
    -- Window 1 per contact: last inbound and last entry-point inbound so far.
    SELECT *,
        max(CASE WHEN NOT outbound THEN ts END) OVER w AS last_inbound,
        max(CASE WHEN NOT outbound AND entry_point THEN ts END) OVER w AS last_entry_point
    FROM log
    WINDOW w AS (PARTITION BY contact ORDER BY ts, outbound
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
fep AS (
    -- Window 2 per contact and entry point: the first delivered reply after it.
    SELECT *,
        min(CASE WHEN outbound AND NOT failed THEN ts END)
            OVER (PARTITION BY contact, last_entry_point) AS first_reply
    FROM windows
),
fep_open AS (
    -- Window 3 per contact: the last reply that opened a free entry point window.
    SELECT *,
        max(CASE WHEN ts = first_reply AND outbound AND NOT failed
                  AND first_reply - last_entry_point < INTERVAL 24 HOUR THEN ts END)
            OVER (PARTITION BY contact ORDER BY ts, outbound
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS fep_opened
    FROM fep
),
classified AS (
    SELECT f.*, coalesce(m4.market, m3.market, m2.market, m1.market) AS market,
        f.outbound AND f.last_inbound IS NOT NULL
            AND f.ts - f.last_inbound < INTERVAL 24 HOUR AS in_window,
        f.outbound AND NOT f.failed AND f.fep_opened IS NOT NULL
            AND f.ts < f.fep_opened + INTERVAL 72 HOUR AS fep_free
    FROM fep_open f
    LEFT JOIN markets m4 ON m4.prefix = f.contact[2:5]
    LEFT JOIN markets m3 ON m3.prefix = f.contact[2:4]
    LEFT JOIN markets m2 ON m2.prefix = f.contact[2:3]
    LEFT JOIN markets m1 ON m1.prefix = f.contact[2:2]
),
allowance AS (
    -- Window 4 per business number and month: the first 1,000 service messages
    -- that are not free otherwise are free.
    SELECT *,
        CASE WHEN outbound AND NOT failed AND NOT fep_free AND category = 'service'
             THEN row_number() OVER (
                 PARTITION BY business_number, month,
                     (outbound AND NOT failed AND NOT fep_free AND category = 'service')
                 ORDER BY ts, contact)
        END AS service_unit
    FROM classified
),
priced AS (
    SELECT a.*, r.rate,
        CASE
            WHEN NOT a.outbound THEN 'inbound'
            WHEN a.failed THEN 'failed'
            WHEN a.fep_free OR a.service_unit <= 1000 THEN 'free'
            WHEN r.rate IS NULL THEN 'rejected'
            ELSE 'billable'
        END AS outcome
    FROM allowance a LEFT JOIN rates r USING (market, category)
)
SELECT
    strftime(month, '%Y-%m') AS month,
    coalesce(market, '?') AS market,
    category,
    count(*) FILTER (WHERE outcome = 'billable') AS billable,
    count(*) FILTER (WHERE outcome = 'free') AS free,
    count(*) FILTER (WHERE outcome = 'failed') AS failed,
    count(*) FILTER (WHERE outcome = 'rejected') AS rejected,
    count(*) FILTER (WHERE in_window) AS in_window,
    coalesce(sum(rate) FILTER (WHERE outcome = 'billable'), 0)::DECIMAL(18, 4) AS cost
FROM priced
WHERE outbound
GROUP BY ALL
ORDER BY ALL;
