-- Valid PostgreSQL an analyst's LLM writes, one statement a line: every one must pass the guard
-- and run on the fixture of GuardCorpusIT. Written for the guard-bypass issue.
SELECT * FROM customers
SELECT id, name FROM customers WHERE country = 'DE' ORDER BY name LIMIT 10
SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY n DESC
SELECT status, sum(total) AS revenue, avg(total) AS avg_total FROM orders GROUP BY status
SELECT c.name, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.name
SELECT date_trunc('month', ordered_at) AS month, sum(total) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(year FROM ordered_at) AS y, count(*) FROM orders GROUP BY y
SELECT customer_id, sum(total) FROM orders GROUP BY customer_id HAVING sum(total) > 100
SELECT * FROM orders WHERE ordered_at >= now() - interval '30 days'
SELECT * FROM orders WHERE ordered_at BETWEEN '2024-01-01' AND '2024-12-31'
SELECT * FROM customers WHERE name LIKE 'A%'
SELECT * FROM customers WHERE name ILIKE '%an%'
SELECT * FROM customers WHERE email NOT LIKE '%@example.com'
SELECT * FROM customers WHERE country IN ('DE', 'FR', 'US')
SELECT * FROM customers WHERE country NOT IN ('DE')
SELECT * FROM orders WHERE status IS DISTINCT FROM 'paid'
SELECT * FROM customers WHERE email IS NULL
SELECT coalesce(segment, 'unknown') AS segment, count(*) FROM customers GROUP BY 1
SELECT nullif(country, '') FROM customers
SELECT CASE WHEN total > 100 THEN 'big' WHEN total > 10 THEN 'mid' ELSE 'small' END AS size, count(*) FROM orders GROUP BY 1
SELECT CASE status WHEN 'paid' THEN 1 ELSE 0 END FROM orders
SELECT o.id, c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 50
SELECT o.id, p.name, i.qty * i.price AS line FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id
SELECT p.category, sum(i.qty) FROM order_items i JOIN products p USING (id) GROUP BY p.category
SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
SELECT * FROM customers c WHERE NOT EXISTS (SELECT FROM orders o WHERE o.customer_id = c.id)
SELECT * FROM customers c WHERE EXISTS (SELECT FROM orders o WHERE o.customer_id = c.id AND o.total > 10)
SELECT * FROM customers WHERE id = ANY (ARRAY[1, 2, 3])
SELECT * FROM orders WHERE total > ALL (SELECT price FROM products WHERE category = 'none')
SELECT customer_id, total, rank() OVER (PARTITION BY customer_id ORDER BY total DESC) FROM orders
SELECT customer_id, total, row_number() OVER w FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at)
SELECT customer_id, sum(total) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at)
SELECT id, avg(total) OVER (w RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders WINDOW w AS (ORDER BY total)
SELECT id, total, lag(total) OVER (ORDER BY ordered_at), lead(total, 2) OVER (ORDER BY ordered_at) FROM orders
SELECT id, ntile(4) OVER (ORDER BY total), percent_rank() OVER (ORDER BY total), cume_dist() OVER (ORDER BY total) FROM orders
SELECT id, first_value(total) OVER (PARTITION BY status ORDER BY ordered_at), last_value(total) OVER (PARTITION BY status ORDER BY ordered_at ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM orders
SELECT id, nth_value(total, 2) OVER (ORDER BY total) FROM orders
SELECT id, dense_rank() OVER (ORDER BY total DESC NULLS LAST) FROM orders
SELECT sum(total) OVER (ORDER BY ordered_at ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) FROM orders
SELECT count(*) FILTER (WHERE status = 'paid') AS paid, count(*) FILTER (WHERE status <> 'paid') AS other FROM orders
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total) FROM orders
SELECT percentile_disc(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY total) FROM orders
SELECT mode() WITHIN GROUP (ORDER BY status) FROM orders
SELECT string_agg(name, ', ' ORDER BY name) FROM customers
SELECT array_agg(DISTINCT country) FROM customers
SELECT json_agg(c) FROM customers c
SELECT jsonb_agg(jsonb_build_object('id', id, 'name', name)) FROM customers
SELECT jsonb_object_agg(id, name) FROM customers
SELECT bool_and(total > 0), bool_or(total > 100), every(total >= 0) FROM orders
SELECT stddev(total), stddev_samp(total), variance(total), var_pop(total) FROM orders
SELECT corr(total, id), covar_pop(total, id), regr_slope(total, id), regr_intercept(total, id) FROM orders
SELECT min(ordered_at), max(ordered_at), count(DISTINCT customer_id) FROM orders
SELECT status, count(*) FROM orders GROUP BY ROLLUP (status)
SELECT status, customer_id, count(*) FROM orders GROUP BY CUBE (status, customer_id)
SELECT status, customer_id, count(*) FROM orders GROUP BY GROUPING SETS ((status), (customer_id), ())
SELECT grouping(status), status, count(*) FROM orders GROUP BY ROLLUP (status)
WITH big AS (SELECT * FROM orders WHERE total > 50) SELECT count(*) FROM big
WITH t(a, b) AS (VALUES (1, 2), (3, 4)) SELECT a + b FROM t
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n
WITH a AS (SELECT 1 AS x), b(y) AS (SELECT x + 1 FROM a) SELECT * FROM b
WITH a AS MATERIALIZED (SELECT * FROM customers) SELECT count(*) FROM a
WITH a AS NOT MATERIALIZED (SELECT * FROM customers) SELECT count(*) FROM a
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SEARCH DEPTH FIRST BY n SET ordercol SELECT * FROM t ORDER BY ordercol
SELECT * FROM (SELECT customer_id, sum(total) AS s FROM orders GROUP BY customer_id) x WHERE s > 10
SELECT * FROM customers ORDER BY created_at DESC NULLS LAST LIMIT 5 OFFSET 5
SELECT * FROM customers ORDER BY id FETCH FIRST 3 ROWS ONLY
SELECT * FROM customers ORDER BY id FETCH FIRST 3 ROWS WITH TIES
SELECT id FROM customers UNION SELECT customer_id FROM orders
SELECT id FROM customers INTERSECT SELECT customer_id FROM orders
SELECT id FROM customers EXCEPT SELECT customer_id FROM orders
SELECT id FROM customers UNION ALL SELECT customer_id FROM orders ORDER BY 1
TABLE customers
VALUES (1, 'a'), (2, 'b')
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)
SELECT * FROM generate_series(1, 10) AS g(i)
SELECT * FROM generate_series(1, 10) g(i) WHERE i % 2 = 0
SELECT d::date FROM generate_series('2024-01-01'::timestamp, '2024-01-31', interval '1 day') AS d
SELECT * FROM unnest(ARRAY[1, 2, 3]) WITH ORDINALITY AS t(v, pos)
SELECT o.id, t.tag FROM orders o, unnest(o.tags) AS t(tag)
SELECT o.id, t.tag FROM orders o CROSS JOIN LATERAL unnest(o.tags) AS t(tag)
SELECT c.id, x.total FROM customers c LEFT JOIN LATERAL (SELECT total FROM orders o WHERE o.customer_id = c.id ORDER BY total DESC LIMIT 1) x ON true
SELECT * FROM ROWS FROM (generate_series(1, 3), unnest(ARRAY['a', 'b'])) AS t(n, s)
SELECT meta->>'channel' AS channel, count(*) FROM orders GROUP BY 1
SELECT meta->'utm'->>'source' FROM orders
SELECT meta #>> '{utm,source}' FROM orders
SELECT * FROM orders WHERE meta @> '{"channel": "web"}'
SELECT * FROM orders WHERE meta ? 'channel'
SELECT * FROM orders WHERE meta ?| ARRAY['channel', 'utm']
SELECT jsonb_path_query(meta, '$.utm.source') FROM orders
SELECT * FROM orders WHERE meta @? '$.channel'
SELECT key, value FROM orders, jsonb_each_text(meta)
SELECT jsonb_pretty(meta) FROM orders
SELECT * FROM orders WHERE tags @> ARRAY['gift']
SELECT * FROM orders WHERE 'gift' = ANY (tags)
SELECT array_length(tags, 1), cardinality(tags), tags[1] FROM orders
SELECT array_to_string(tags, ';') FROM orders
SELECT * FROM orders WHERE tags && ARRAY['sale', 'gift']
SELECT tags || ARRAY['x'] FROM orders
SELECT * FROM products WHERE search @@ to_tsquery('english', 'red & shoe')
SELECT ts_rank(search, plainto_tsquery('simple', 'shoe')) FROM products
SELECT name, similarity_rank FROM (SELECT name, length(name) AS similarity_rank FROM products) x
SELECT |/ 16.0
SELECT ||/ 27.0
SELECT @ -5
SELECT |/ price FROM products
SELECT @ (total - 100) FROM orders
SELECT 2 ^ 10, 10 % 3, 7 / 2, 7.0 / 2, -5 * 2
SELECT 'abc' IS NFC NORMALIZED
SELECT name FROM customers WHERE name IS NORMALIZED
SELECT normalize(name, NFC) FROM customers
SELECT number, value FROM customers
SELECT c.number + 1, c.value * 2 FROM customers c
SELECT comment FROM customers
SELECT count(*) FROM customers WHERE value > 10
SELECT upper(name), lower(email), initcap(name), length(name), char_length(name) FROM customers
SELECT substring(name FROM 1 FOR 3), position('a' IN name), trim(both ' ' FROM name), overlay(name PLACING 'x' FROM 1 FOR 1) FROM customers
SELECT split_part(email, '@', 2) AS domain, count(*) FROM customers GROUP BY 1
SELECT regexp_replace(email, '@.*', ''), regexp_matches(email, '([a-z]+)@') FROM customers
SELECT * FROM customers WHERE email ~ '^[a-z]+@' AND name !~* 'test'
SELECT * FROM customers WHERE name SIMILAR TO '(A|B)%'
SELECT left(name, 2), right(name, 2), lpad(name, 10, '*'), rpad(name, 10), repeat('ab', 3), reverse(name) FROM customers
SELECT concat(name, ' <', email, '>'), concat_ws(', ', name, country), format('%s (%s)', name, country) FROM customers
SELECT md5(email), encode(sha256(convert_to(email, 'UTF8')), 'hex') FROM customers
SELECT to_char(ordered_at, 'YYYY-MM'), to_char(total, 'FM999G999D00') FROM orders
SELECT to_date('2024-03-01', 'YYYY-MM-DD'), to_timestamp('2024-03-01 10:00', 'YYYY-MM-DD HH24:MI'), to_number('12,345', '99G999')
SELECT age(now(), created_at), justify_interval(interval '40 days'), date_part('dow', created_at) FROM customers
SELECT ordered_at AT TIME ZONE 'Europe/Berlin' FROM orders
SELECT make_date(2024, 1, 31), make_interval(days => 3), make_timestamp(2024, 1, 1, 0, 0, 0)
SELECT date_bin('15 minutes', ordered_at, '2024-01-01') AS bucket, count(*) FROM orders GROUP BY 1
SELECT current_date, current_timestamp, localtimestamp, now(), clock_timestamp(), statement_timestamp()
SELECT current_user, session_user, current_database(), current_schema(), version()
SELECT (ordered_at::date - created_at::date) AS days FROM orders o JOIN customers c ON c.id = o.customer_id
SELECT round(total, 1), ceil(total), floor(total), trunc(total), abs(total - 50), sign(total - 50) FROM orders
SELECT sqrt(price), cbrt(price), power(price, 2), exp(1), ln(price + 1), log(price + 1), log10(price + 1) FROM products
SELECT greatest(price, 10), least(price, 100), mod(id, 3), div(id, 2), gcd(id, 6), width_bucket(price, 0, 100, 10) FROM products
SELECT random() < 0.5, gen_random_uuid() IS NOT NULL, floor(random() * 10)
SELECT * FROM customers ORDER BY random() LIMIT 3
SELECT total::int, total::text, total::float8, id::bigint, '42'::int, CAST(total AS numeric(10, 1)) FROM orders
SELECT '2024-01-01'::date, '10:00'::time, '1 day'::interval, 'true'::boolean, '{1,2}'::int[], '{"a":1}'::jsonb
SELECT date '2024-01-01', timestamp '2024-01-01 10:00', interval '2 hours', time '10:00'
SELECT 'a'::varchar(10), 'b'::character varying(5), 'c'::char(3), 1.5::numeric(5,2), now()::timestamp(0)
SELECT CAST('2024-01-01' AS date), CAST(1 AS double precision), CAST('x' AS text)
SELECT pg_typeof(total), pg_column_size(name) FROM orders, customers LIMIT 1
SELECT pg_size_pretty(pg_total_relation_size('orders')), pg_relation_size('customers')
SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'orders'::regclass
SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
SELECT attname, n_distinct, null_frac FROM pg_stats WHERE tablename = 'customers'
SELECT relname, n_live_tup FROM pg_stat_user_tables
SELECT obj_description('customers'::regclass), col_description('customers'::regclass, 1)
SELECT has_table_privilege('customers', 'SELECT')
SELECT row_to_json(c) FROM customers c
SELECT to_jsonb(c) - 'email' FROM customers c
SELECT (c).name FROM (SELECT c FROM customers c) s
SELECT (o).status, (o).total FROM orders o
SELECT x.name FROM customers AS x
SELECT customers.name FROM customers
SELECT public.customers.name FROM public.customers
SELECT "Name" FROM (SELECT name AS "Name" FROM customers) t
SELECT count(*) AS "Total Count" FROM orders
SELECT a.id, b.id FROM customers a JOIN customers b ON a.country = b.country AND a.id < b.id
SELECT * FROM customers FULL OUTER JOIN orders ON orders.customer_id = customers.id
SELECT * FROM customers NATURAL JOIN (SELECT id, 1 AS one FROM orders) x
SELECT * FROM customers RIGHT JOIN orders ON orders.customer_id = customers.id
SELECT * FROM customers TABLESAMPLE BERNOULLI (50) REPEATABLE (42)
SELECT * FROM customers TABLESAMPLE SYSTEM (100)
SELECT DISTINCT ON (customer_id) customer_id, total FROM orders ORDER BY customer_id, total DESC
SELECT DISTINCT country FROM customers
SELECT (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c
SELECT ARRAY(SELECT id FROM customers ORDER BY id)
SELECT ROW(1, 'a') = ROW(1, 'a')
SELECT (1, 2) < (1, 3)
SELECT x FROM (SELECT 1 AS x) s WHERE x IN (1, 2)
SELECT xmlelement(name customer, xmlattributes(id AS id), name) FROM customers
SELECT xmlforest(id, name) FROM customers
SELECT json_build_array(1, 2), json_build_object('a', 1), jsonb_build_object('b', 2)
SELECT jsonb_set(meta, '{channel}', '"email"') FROM orders
SELECT jsonb_array_elements_text('["a","b"]'::jsonb)
SELECT * FROM jsonb_to_record('{"a":1,"b":"x"}'::jsonb) AS r(a int, b text)
SELECT * FROM json_to_recordset('[{"a":1},{"a":2}]') AS r(a int)
SELECT string_to_array('a,b,c', ','), array_position(ARRAY['a','b'], 'b'), array_remove(ARRAY[1,2,1], 1)
SELECT int4range(1, 10) @> 5, daterange('2024-01-01', '2024-02-01') && daterange('2024-01-15', '2024-03-01')
SELECT lower(int4range(1, 10)), upper(int4range(1, 10)), isempty(int4range(1, 1))
SELECT '192.168.1.5'::inet << '192.168.1.0/24'::cidr, host('10.0.0.1/8'::inet)
SELECT point(1, 2) <-> point(4, 6), box(point(0, 0), point(1, 1)) @> point(0.5, 0.5)
SELECT 'a' || 'b', 'x' || 1, B'1010' & B'0110', 5 & 3, 5 | 3, 5 # 3, ~5, 1 << 4, 256 >> 2
SELECT true AND NOT false OR NULL IS NULL
SELECT 1 WHERE 'abc' LIKE 'a%' ESCAPE '!'
SELECT * FROM customers WHERE created_at IS NOT NULL AND (country = 'DE' OR segment = 'b2b')
SELECT count(*) FROM orders WHERE ordered_at::date = current_date - 1
SELECT avg(total)::numeric(10,2) FROM orders
SELECT customer_id, array_agg(total ORDER BY ordered_at) FROM orders GROUP BY customer_id
SELECT status, count(*) * 100.0 / sum(count(*)) OVER () AS pct FROM orders GROUP BY status
SELECT status, count(*), sum(count(*)) OVER (ORDER BY status) FROM orders GROUP BY status
SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY total DESC) AS rn FROM orders) t WHERE rn <= 3
SELECT date_trunc('week', ordered_at) AS week, count(*), sum(total), avg(total) FROM orders GROUP BY 1 ORDER BY 1
SELECT c.country, percentile_cont(0.9) WITHIN GROUP (ORDER BY o.total) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country
SELECT id FROM customers WHERE id BETWEEN SYMMETRIC 5 AND 1
SELECT * FROM customers WHERE (country, segment) IN (('DE', 'b2b'), ('FR', 'b2c'))
SELECT COALESCE(sum(total), 0) FROM orders WHERE false
SELECT uuid_nil IS NULL FROM (SELECT NULL AS uuid_nil) x
SELECT quote_ident(name), quote_literal(name), quote_nullable(NULL) FROM customers
SELECT translate(name, 'ae', 'AE'), ascii(name), chr(65), starts_with(name, 'A') FROM customers
SELECT encode(convert_to(name, 'UTF8'), 'base64'), decode('aGk=', 'base64') FROM customers
SELECT to_tsvector('english', name) FROM products
SELECT websearch_to_tsquery('english', 'red shoe -blue')
SELECT ts_headline('english', name, to_tsquery('english', 'shoe')) FROM products
SELECT num_nulls(email, country), num_nonnulls(email, country) FROM customers
SELECT scale(total), trim_scale(total), min_scale(total) FROM orders
SELECT generate_subscripts(ARRAY[1,2,3], 1)
SELECT * FROM generate_series(0, 100, 10) AS s(step) ORDER BY step DESC
SELECT date_trunc('day', now()) - interval '7 days' AS since
SELECT isfinite(ordered_at), extract(epoch FROM ordered_at) FROM orders
SELECT overlaps_ok FROM (SELECT (DATE '2024-01-01', DATE '2024-02-01') OVERLAPS (DATE '2024-01-15', DATE '2024-03-01') AS overlaps_ok) x
SELECT 1 AS value, 2 AS number
SELECT value FROM (SELECT 1 AS value) AS number
SELECT sum(value) FILTER (WHERE number > 0) OVER (PARTITION BY country) FROM customers
SELECT count(total) FROM orders
SELECT count(price) FROM products
SELECT count(qty) FROM order_items
SELECT sum(total) FROM orders
SELECT sum(price) FROM products
SELECT sum(qty) FROM order_items
SELECT avg(total) FROM orders
SELECT avg(price) FROM products
SELECT avg(qty) FROM order_items
SELECT min(total) FROM orders
SELECT min(price) FROM products
SELECT min(qty) FROM order_items
SELECT max(total) FROM orders
SELECT max(price) FROM products
SELECT max(qty) FROM order_items
SELECT stddev_pop(total) FROM orders
SELECT stddev_pop(price) FROM products
SELECT stddev_pop(qty) FROM order_items
SELECT var_samp(total) FROM orders
SELECT var_samp(price) FROM products
SELECT var_samp(qty) FROM order_items
SELECT bit_and(qty) FROM order_items
SELECT bit_or(qty) FROM order_items
SELECT abs(total) FROM orders
SELECT abs(price) FROM products
SELECT round(total) FROM orders
SELECT round(price) FROM products
SELECT ceil(total) FROM orders
SELECT ceil(price) FROM products
SELECT floor(total) FROM orders
SELECT floor(price) FROM products
SELECT sign(total) FROM orders
SELECT sign(price) FROM products
SELECT sqrt(abs(total)) FROM orders
SELECT sqrt(abs(price)) FROM products
SELECT ln(abs(total) + 1) FROM orders
SELECT ln(abs(price) + 1) FROM products
SELECT exp(least(total, 10) / 10) FROM orders
SELECT exp(least(price, 10) / 10) FROM products
SELECT degrees(total) FROM orders
SELECT degrees(price) FROM products
SELECT radians(total) FROM orders
SELECT radians(price) FROM products
SELECT cos(total) FROM orders
SELECT cos(price) FROM products
SELECT sin(total) FROM orders
SELECT sin(price) FROM products
SELECT atan2(total, 1) FROM orders
SELECT atan2(price, 1) FROM products
SELECT id, row_number() OVER (ORDER BY ordered_at) FROM orders
SELECT id, row_number() OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, rank() OVER (ORDER BY ordered_at) FROM orders
SELECT id, rank() OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, dense_rank() OVER (ORDER BY ordered_at) FROM orders
SELECT id, dense_rank() OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, percent_rank() OVER (ORDER BY ordered_at) FROM orders
SELECT id, percent_rank() OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, cume_dist() OVER (ORDER BY ordered_at) FROM orders
SELECT id, cume_dist() OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, ntile(3) OVER (ORDER BY ordered_at) FROM orders
SELECT id, ntile(3) OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, lag(total) OVER (ORDER BY ordered_at) FROM orders
SELECT id, lag(total) OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, lead(total) OVER (ORDER BY ordered_at) FROM orders
SELECT id, lead(total) OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, first_value(total) OVER (ORDER BY ordered_at) FROM orders
SELECT id, first_value(total) OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT id, last_value(total) OVER (ORDER BY ordered_at) FROM orders
SELECT id, last_value(total) OVER (PARTITION BY status ORDER BY ordered_at) FROM orders
SELECT date_trunc('year', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(year FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT date_trunc('quarter', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(quarter FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT date_trunc('month', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(month FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT date_trunc('week', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(week FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT date_trunc('day', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(day FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT date_trunc('hour', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(hour FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT date_trunc('minute', ordered_at), count(*) FROM orders GROUP BY 1 ORDER BY 1
SELECT extract(minute FROM ordered_at) AS part, avg(total) FROM orders GROUP BY 1
SELECT count(*) FROM orders WHERE total = 50
SELECT count(*) FROM customers WHERE name = 'M'
SELECT count(*) FROM orders WHERE total <> 50
SELECT count(*) FROM customers WHERE name <> 'M'
SELECT count(*) FROM orders WHERE total != 50
SELECT count(*) FROM customers WHERE name != 'M'
SELECT count(*) FROM orders WHERE total < 50
SELECT count(*) FROM customers WHERE name < 'M'
SELECT count(*) FROM orders WHERE total > 50
SELECT count(*) FROM customers WHERE name > 'M'
SELECT count(*) FROM orders WHERE total <= 50
SELECT count(*) FROM customers WHERE name <= 'M'
SELECT count(*) FROM orders WHERE total >= 50
SELECT count(*) FROM customers WHERE name >= 'M'
SELECT upper(name) FROM customers ORDER BY 1 LIMIT 1
SELECT lower(name) FROM customers ORDER BY 1 LIMIT 2
SELECT initcap(name) FROM customers ORDER BY 1 LIMIT 3
SELECT length(name) FROM customers ORDER BY 1 LIMIT 4
SELECT md5(name) FROM customers ORDER BY 1 LIMIT 5
SELECT reverse(name) FROM customers ORDER BY 1 LIMIT 6
SELECT btrim(name) FROM customers ORDER BY 1 LIMIT 7
SELECT ltrim(name) FROM customers ORDER BY 1 LIMIT 8
SELECT rtrim(name) FROM customers ORDER BY 1 LIMIT 9
SELECT quote_ident(name) FROM customers ORDER BY 1 LIMIT 10
