-- Generated demo dataset for the quick start: deterministic (setseed), ~80k rows.
SELECT setseed(0.42);

CREATE TYPE customer_segment AS ENUM ('consumer', 'corporate', 'home_office');
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled');

CREATE TABLE customers (
    customer_id    integer PRIMARY KEY,
    name           text NOT NULL,
    email          text UNIQUE,
    country        text NOT NULL,
    segment        customer_segment NOT NULL,
    signup_date    date NOT NULL,
    is_active      boolean NOT NULL,
    lifetime_value numeric(12, 2),
    attributes     jsonb,
    tags           text[]
);
COMMENT ON TABLE customers IS 'People and companies who buy from the shop';
COMMENT ON COLUMN customers.lifetime_value IS 'Sum of paid orders, maintained nightly; NULL for new customers';

CREATE TABLE products (
    product_id  integer PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    category    text NOT NULL,
    price       numeric(10, 2) NOT NULL CHECK (price >= 0),
    weight_kg   double precision,
    launched_at timestamptz NOT NULL
);

CREATE TABLE orders (
    order_id      bigint PRIMARY KEY,
    customer_id   integer NOT NULL REFERENCES customers (customer_id),
    ordered_at    timestamptz NOT NULL,
    status        order_status NOT NULL,
    shipping_cost numeric(8, 2) NOT NULL DEFAULT 0,
    note          text
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_ordered_at_idx ON orders (ordered_at);

CREATE TABLE order_items (
    order_id   bigint NOT NULL REFERENCES orders (order_id),
    line_no    smallint NOT NULL,
    product_id integer NOT NULL REFERENCES products (product_id),
    quantity   integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(10, 2) NOT NULL,
    discount   real,
    PRIMARY KEY (order_id, line_no)
);

INSERT INTO customers
SELECT i,
       (ARRAY['Ana','Ben','Chen','Dara','Eli','Femi','Gus','Hana','Ivo','Jun'])[1 + i % 10] || ' '
           || (ARRAY['Smith','García','Müller','Rossi','Kowalski','Tanaka','Okafor','Dubois'])[1 + (i * 7) % 8],
       CASE WHEN i % 17 = 0 THEN NULL ELSE 'customer' || i || '@example.com' END,
       (ARRAY['US','DE','FR','JP','BR','NG','PL','IT'])[1 + (i * 13) % 8],
       (ARRAY['consumer','corporate','home_office'])[1 + (i * 7) % 3]::customer_segment,
       DATE '2019-01-01' + (i * 37) % 2100,
       i % 9 <> 0,
       CASE WHEN i % 11 = 0 THEN NULL ELSE round((random() * 5000)::numeric, 2) END,
       jsonb_build_object('newsletter', i % 2 = 0, 'source', (ARRAY['ads','referral','organic'])[1 + i % 3]),
       CASE WHEN i % 5 = 0 THEN NULL ELSE ARRAY['vip', 'b2b', 'loyal', 'new']::text[] END
FROM generate_series(1, 2000) AS i;

INSERT INTO products
SELECT i,
       'SKU-' || lpad(i::text, 5, '0'),
       (ARRAY['Lamp','Chair','Desk','Mug','Pen','Shelf','Rug','Clock'])[1 + i % 8] || ' "' || i || '"',
       (ARRAY['lighting','furniture','kitchen','office'])[1 + i % 4],
       round((5 + random() * 495)::numeric, 2),
       CASE WHEN i % 13 = 0 THEN NULL ELSE round((random() * 30)::numeric, 3)::double precision END,
       TIMESTAMPTZ '2018-01-01 00:00:00+00' + (i * interval '5 days 3 hours')
FROM generate_series(1, 300) AS i;

INSERT INTO orders
SELECT i,
       1 + (i * 7919) % 2000,
       TIMESTAMPTZ '2022-01-01 00:00:00+00' + (i * interval '47 minutes'),
       (ARRAY['pending','paid','shipped','delivered','delivered','delivered','cancelled'])[1 + i % 7]::order_status,
       round((random() * 25)::numeric, 2),
       CASE WHEN i % 23 = 0 THEN 'Leave at the door; ring twice' WHEN i % 29 = 0 THEN '' ELSE NULL END
FROM generate_series(1, 20000) AS i;

INSERT INTO order_items
SELECT o, l, 1 + (o * 31 + l * 17) % 300, 1 + (o + l) % 5, p.price,
       CASE WHEN (o + l) % 6 = 0 THEN 0.1 ELSE NULL END
FROM generate_series(1, 20000) AS o
CROSS JOIN LATERAL generate_series(1, 1 + o % 5) AS l
JOIN products p ON p.product_id = 1 + (o * 31 + l * 17) % 300;

CREATE VIEW monthly_revenue AS
SELECT date_trunc('month', o.ordered_at) AS month,
       count(DISTINCT o.order_id)        AS orders,
       sum(i.quantity * i.unit_price)    AS revenue
FROM orders o JOIN order_items i USING (order_id)
WHERE o.status <> 'cancelled'
GROUP BY 1;

ANALYZE;

-- The agent logs in as this least-privilege role (no superuser, no server-access roles): the agent
-- refuses a privileged login; see docs/readonly-role.sql.
CREATE ROLE dea_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
GRANT USAGE ON SCHEMA public TO dea_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO dea_reader;
