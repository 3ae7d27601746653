CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200), country CHAR(2), created_at DATETIME);
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(10,2), status VARCHAR(20), ordered_at DATETIME, meta JSON, KEY orders_customer (customer_id));
CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(100), price DECIMAL(10,2), tags JSON);
INSERT INTO customers VALUES (1, 'Anna', 'anna@example.com', 'DE', '2024-01-05 10:00:00'), (2, 'Bob', 'bob@example.com', 'FR', '2024-02-10 11:30:00'), (3, 'Robert', NULL, 'DE', '2024-03-15 09:15:00');
INSERT INTO orders VALUES (1, 1, 120.50, 'paid', '2024-01-06 12:00:00', '{"channel": "web"}'), (2, 1, 35.00, 'open', '2024-02-01 08:00:00', '{"channel": "shop"}'), (3, 2, 75.25, 'paid', '2024-06-30 18:45:00', NULL), (4, 3, 5.00, NULL, '2024-12-31 23:59:59', '{"channel": "web"}');
INSERT INTO products VALUES (1, 'Pen', 1.50, '["office", "cheap"]'), (2, 'Desk', 250.00, '["office"]');
