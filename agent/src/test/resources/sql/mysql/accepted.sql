-- Read queries the MySQL guard must accept, one per line; "⏎" stands for a line break.
-- MySqlGuardTest checks each passes the guard; MySqlGuardIT runs each on the real MariaDB
-- against the fixture of fixture.sql, to prove they are valid server SQL.
SELECT 1
SELECT id, name FROM customers WHERE country = 'DE' ORDER BY id LIMIT 10
select * from `customers` where `id` > 1
SELECT c.name, SUM(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name HAVING SUM(o.amount) > 10
SELECT status, COUNT(*) FROM orders GROUP BY status WITH ROLLUP
WITH big AS (SELECT * FROM orders WHERE amount > 50) SELECT COUNT(*) FROM big
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT SUM(i) FROM n
WITH a AS (SELECT id FROM customers), b (x) AS (SELECT id FROM a) SELECT x FROM b
SELECT id FROM customers UNION SELECT customer_id FROM orders
SELECT id FROM customers UNION ALL SELECT customer_id FROM orders ORDER BY 1 LIMIT 5
SELECT id FROM customers INTERSECT SELECT customer_id FROM orders
SELECT id FROM customers EXCEPT SELECT customer_id FROM orders
VALUES (1, 'a'), (2, 'b')
(SELECT id FROM customers ORDER BY id LIMIT 1)
SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE status = 'paid')
SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
SELECT t.n FROM (SELECT COUNT(*) AS n FROM orders) AS t
SELECT id, amount, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn FROM orders
SELECT id, SUM(amount) OVER w, RANK() OVER w, LAG(amount) OVER w FROM orders WINDOW w AS (ORDER BY id)
SELECT DATE_FORMAT(ordered_at, '%Y-%m'), AVG(amount), STDDEV(amount) FROM orders GROUP BY DATE_FORMAT(ordered_at, '%Y-%m')
SELECT YEAR(ordered_at), MONTH(ordered_at), DATEDIFF(NOW(), ordered_at), DATE_ADD(ordered_at, INTERVAL 1 DAY) FROM orders
SELECT TIMESTAMPDIFF(DAY, MIN(ordered_at), MAX(ordered_at)) FROM orders
SELECT EXTRACT(YEAR FROM ordered_at), CAST(amount AS DECIMAL(10,2)), CONVERT(amount, CHAR) FROM orders
SELECT CAST(id AS CHAR(10)), CAST('2020-01-01' AS DATE), CONVERT('x' USING utf8mb4) FROM customers
SELECT CONCAT(name, ' <', email, '>'), UPPER(name), LOWER(email), LENGTH(name), SUBSTRING(name, 1, 3) FROM customers
SELECT TRIM(BOTH 'x' FROM name), LPAD(id, 5, '0'), REPLACE(email, '@', ' at '), INSERT(name, 1, 1, 'Z') FROM customers
SELECT GROUP_CONCAT(name ORDER BY name SEPARATOR ', ') FROM customers
SELECT name FROM customers WHERE name LIKE 'A%' OR name REGEXP '^B' OR name SOUNDS LIKE 'Robert'
SELECT REGEXP_REPLACE(email, '@.*', ''), REGEXP_SUBSTR(email, '[a-z]+') FROM customers
SELECT IF(amount > 50, 'big', 'small'), IFNULL(status, '-'), COALESCE(NULL, status), NULLIF(status, 'x') FROM orders
SELECT CASE WHEN amount > 100 THEN 'high' WHEN amount > 10 THEN 'mid' ELSE 'low' END FROM orders
SELECT ROUND(AVG(amount), 2), FLOOR(MAX(amount)), CEIL(MIN(amount)), ABS(-1), MOD(10, 3), POW(2, 10), 10 DIV 3 FROM orders
SELECT JSON_EXTRACT(meta, '$.channel'), JSON_UNQUOTE(JSON_EXTRACT(meta, '$.channel')) FROM orders
SELECT JSON_OBJECT('id', id, 'name', name), JSON_ARRAY(id, name) FROM customers
SELECT id FROM orders WHERE JSON_CONTAINS(meta, '"web"', '$.channel') OR JSON_VALUE(meta, '$.channel') = 'shop'
SELECT jt.tag FROM products, JSON_TABLE(products.tags, '$[*]' COLUMNS (tag VARCHAR(20) PATH '$')) AS jt
SELECT JSON_ARRAYAGG(name), JSON_OBJECTAGG(id, name) FROM customers
SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE()
SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders'
SELECT DATABASE(), USER(), CURRENT_USER(), VERSION(), CONNECTION_ID()
SELECT 'it''s', "double ""quoted""", 'back\\slash', 'tab\there', 'percent \% and underscore \_'
SELECT 1 # trailing hash comment
SELECT 1 -- trailing dash comment⏎, 2
SELECT /* block */ 1 /* another */ + 2
SELECT 1--1
SELECT name FROM customers ORDER BY name DESC LIMIT 2 OFFSET 1
SELECT DISTINCT country FROM customers
SELECT c.id, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
SELECT c.id FROM customers c JOIN orders o USING (id)
SELECT c.id FROM customers AS c STRAIGHT_JOIN orders AS o ON o.customer_id = c.id
SELECT id FROM customers USE INDEX (PRIMARY) WHERE id = 1
SELECT ST_AsText(ST_GeomFromText('POINT(1 2)')), ST_X(POINT(1, 2)), ST_Distance(POINT(0, 0), POINT(3, 4))
SELECT MD5(email), SHA2(email, 256), HEX(id), CRC32(name) FROM customers
SELECT COUNT(*) FROM orders WHERE ordered_at BETWEEN '2024-01-01' AND '2024-12-31'
SELECT SQL_NO_CACHE id FROM customers
SELECT customer_id, NTILE(4) OVER (ORDER BY amount), PERCENT_RANK() OVER (ORDER BY amount) FROM orders
SELECT * FROM orders WHERE (customer_id, status) IN ((1, 'paid'), (2, 'open'))
SELECT 0x41, X'42', B'1', N'national', _utf8mb4'intro', 1e3, .5, 1.5e-3
SELECT `select` FROM (SELECT 1 AS `select`) AS `weird``name`
SELECT name FROM customers WHERE id = 1;
SELECT name FROM customers WHERE name NOT IN ('x') AND email IS NOT NULL
SELECT id FROM orders WHERE JSON_LENGTH(meta) > 0 AND status <> 'open'
SELECT DATE (ordered_at), IF (amount > 1, 1, 0) FROM orders
SELECT SUM(CASE WHEN status = 'paid' THEN amount ELSE 0 END) / COUNT(*) AS paid_share FROM orders
