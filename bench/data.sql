-- Benchmark data, generated (deterministic shape; values from random()).
SELECT setseed(0.7);
DROP TABLE IF EXISTS wide_100k, big_1m;

-- (a) 100,000 rows x 8 columns of mixed types.
CREATE TABLE wide_100k AS
SELECT g::bigint                                      AS id,
       (g % 5000)::int                                AS customer_id,
       round((random() * 1000)::numeric, 2)           AS amount,
       random() * 100                                 AS score,
       'label-' || (g % 997)                          AS label,
       DATE '2020-01-01' + (g % 1500)                 AS day,
       TIMESTAMPTZ '2020-01-01 00:00+00' + g * interval '1 minute' AS at,
       (g % 3 = 0)                                    AS flag
FROM generate_series(1, 100000) AS g;

-- (c), (d) 1,000,000 rows x 10 columns.
CREATE TABLE big_1m AS
SELECT g::bigint                                      AS id,
       (g % 10000)::int                               AS k,
       round((random() * 1000)::numeric, 2)           AS amount,
       random()                                       AS score,
       'name-' || (g % 50000)                         AS name,
       md5(g::text)                                   AS hash,
       DATE '2015-01-01' + (g % 3650)                 AS day,
       TIMESTAMPTZ '2015-01-01 00:00+00' + g * interval '30 seconds' AS at,
       (g % 7 = 0)                                    AS flag,
       CASE WHEN g % 10 = 0 THEN NULL ELSE (g % 100)::smallint END AS small
FROM generate_series(1, 1000000) AS g;

VACUUM ANALYZE wide_100k;
VACUUM ANALYZE big_1m;
