-- Benchmark data for MariaDB, the same shapes as bench/data.sql (values from RAND(7), deterministic).
-- seq_1_to_N is MariaDB's Sequence engine; on Oracle MySQL use a recursive CTE instead.
DROP TABLE IF EXISTS wide_100k, big_1m;

-- (a) 100,000 rows x 8 columns of mixed types.
CREATE TABLE wide_100k (
    id BIGINT PRIMARY KEY, customer_id INT, amount DECIMAL(10,2), score DOUBLE, label VARCHAR(20),
    day DATE, at DATETIME(6), flag BOOLEAN
) ENGINE=InnoDB;
INSERT INTO wide_100k
SELECT seq, seq % 5000, ROUND(RAND(7) * 1000, 2), RAND() * 100, CONCAT('label-', seq % 997),
       DATE '2020-01-01' + INTERVAL (seq % 1500) DAY, TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq MINUTE, seq % 3 = 0
FROM seq_1_to_100000;

-- (c) 1,000,000 rows x 10 columns.
CREATE TABLE big_1m (
    id BIGINT PRIMARY KEY, k INT, amount DECIMAL(10,2), score DOUBLE, name VARCHAR(20), hash CHAR(32),
    day DATE, at DATETIME(6), flag BOOLEAN, small SMALLINT
) ENGINE=InnoDB;
INSERT INTO big_1m
SELECT seq, seq % 10000, ROUND(RAND(7) * 1000, 2), RAND(), CONCAT('name-', seq % 50000), MD5(seq),
       DATE '2015-01-01' + INTERVAL (seq % 3650) DAY, TIMESTAMP '2015-01-01 00:00:00' + INTERVAL (seq * 30) SECOND,
       seq % 7 = 0, CASE WHEN seq % 10 = 0 THEN NULL ELSE seq % 100 END
FROM seq_1_to_1000000;

ANALYZE TABLE wide_100k, big_1m;
