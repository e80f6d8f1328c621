-- 001_crm: a small sample CRM that the agent tools (@supportstream/tools) look orders up in.
--
-- Every table is keyed by (tenant_id, id) and every reference carries tenant_id, so one tenant's
-- order numbers never collide with another's and a row can only point at rows of its own tenant.
-- Money is exact: bigint micros (millionths of the currency unit; 49.99 EUR = 49990000) + ISO code.
-- Names are unqualified: the runner sets search_path when it applies into a given schema.
-- The seed below is mirrored by sampleCrmData() in packages/tools/src/crmSample.ts; the tools'
-- integration test compares the two, so change both together (in a new migration).

CREATE TABLE crm_customers (
  tenant_id  text        NOT NULL,
  id         text        NOT NULL,
  name       text        NOT NULL,
  email      text        NOT NULL,
  tier       text        NOT NULL CHECK (tier IN ('STANDARD', 'PREMIUM', 'VIP')),
  status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE crm_orders (
  tenant_id    text        NOT NULL,
  id           text        NOT NULL,
  customer_id  text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('placed', 'paid', 'shipped', 'delivered', 'refunded', 'cancelled')),
  currency     char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total_micros bigint      NOT NULL CHECK (total_micros >= 0),
  placed_at    timestamptz NOT NULL,
  delivered_at timestamptz CHECK (delivered_at >= placed_at),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES crm_customers (tenant_id, id)
);
CREATE INDEX crm_orders_by_customer ON crm_orders (tenant_id, customer_id, placed_at DESC);

-- Lines are in the order's currency.
CREATE TABLE crm_order_lines (
  tenant_id         text    NOT NULL,
  order_id          text    NOT NULL,
  line_no           integer NOT NULL CHECK (line_no > 0),
  sku               text    NOT NULL,
  description       text    NOT NULL,
  quantity          integer NOT NULL CHECK (quantity > 0),
  unit_price_micros bigint  NOT NULL CHECK (unit_price_micros >= 0),
  PRIMARY KEY (tenant_id, order_id, line_no),
  FOREIGN KEY (tenant_id, order_id) REFERENCES crm_orders (tenant_id, id) ON DELETE CASCADE
);

-- A charge takes money, a refund gives it back; both amounts are positive.
CREATE TABLE crm_payments (
  tenant_id     text        NOT NULL,
  id            text        NOT NULL,
  order_id      text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('charge', 'refund')),
  amount_micros bigint      NOT NULL CHECK (amount_micros > 0),
  currency      char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  captured_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES crm_orders (tenant_id, id)
);
CREATE INDEX crm_payments_by_order ON crm_payments (tenant_id, order_id, captured_at);

-- The current billing period is [period_start, period_end): calendar days, end exclusive.
CREATE TABLE crm_subscriptions (
  tenant_id    text    NOT NULL,
  id           text    NOT NULL,
  customer_id  text    NOT NULL,
  plan         text    NOT NULL,
  price_micros bigint  NOT NULL CHECK (price_micros >= 0),
  currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  period_start date    NOT NULL,
  period_end   date    NOT NULL,
  status       text    NOT NULL CHECK (status IN ('active', 'cancelled', 'expired')),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES crm_customers (tenant_id, id),
  CHECK (period_end > period_start)
);
CREATE INDEX crm_subscriptions_by_customer ON crm_subscriptions (tenant_id, customer_id, status);

-- Seed: the same data for 'tenant-a' (tests) and 'demo-tenant' (the demo) ...
CREATE TEMPORARY TABLE seed_tenants (tenant_id text) ON COMMIT DROP;
INSERT INTO seed_tenants VALUES ('tenant-a'), ('demo-tenant');

INSERT INTO crm_customers (tenant_id, id, name, email, tier, status, created_at)
SELECT t.tenant_id, c.* FROM seed_tenants t CROSS JOIN (VALUES
  ('cust-42', 'Ada Lovelace',    'ada.lovelace@example.invalid',    'VIP',      'active', timestamptz '2023-03-14T10:00:00Z'),
  ('cust-7',  'Grace Hopper',    'grace.hopper@example.invalid',    'STANDARD', 'active', timestamptz '2024-06-01T08:30:00Z'),
  ('cust-8',  'Alan Turing',     'alan.turing@example.invalid',     'PREMIUM',  'active', timestamptz '2025-02-11T16:45:00Z'),
  ('cust-9',  'Edsger Dijkstra', 'edsger.dijkstra@example.invalid', 'STANDARD', 'closed', timestamptz '2022-05-30T12:00:00Z')
) AS c (id, name, email, tier, status, created_at);

INSERT INTO crm_orders (tenant_id, id, customer_id, status, currency, total_micros, placed_at, delivered_at)
SELECT t.tenant_id, o.* FROM seed_tenants t CROSS JOIN (VALUES
  -- 49.99 EUR, charged twice (a duplicate charge to refund), not shipped yet
  ('1001', 'cust-42', 'paid',      'EUR',    49990000, timestamptz '2026-11-02T09:12:00Z', NULL::timestamptz),
  -- delivered
  ('1002', 'cust-42', 'delivered', 'EUR',   129000000, timestamptz '2026-10-20T14:05:00Z', timestamptz '2026-10-23T11:20:00Z'),
  -- shipped, in transit
  ('1003', 'cust-42', 'shipped',   'EUR',    24900000, timestamptz '2026-11-18T17:40:00Z', NULL),
  -- fully refunded
  ('1004', 'cust-7',  'refunded',  'EUR',    19990000, timestamptz '2026-09-05T12:00:00Z', timestamptz '2026-09-08T10:00:00Z'),
  -- delivered, one of four mugs refunded (75.00 EUR left to refund)
  ('1005', 'cust-7',  'delivered', 'EUR',   100000000, timestamptz '2026-10-01T08:00:00Z', timestamptz '2026-10-04T09:30:00Z'),
  -- cancelled before payment
  ('1006', 'cust-8',  'cancelled', 'GBP',    15000000, timestamptz '2026-11-10T19:00:00Z', NULL),
  -- 1500 JPY (no minor unit), not paid yet
  ('1007', 'cust-8',  'placed',    'JPY', 1500000000, timestamptz '2026-11-20T07:15:00Z', NULL)
) AS o (id, customer_id, status, currency, total_micros, placed_at, delivered_at);

INSERT INTO crm_order_lines (tenant_id, order_id, line_no, sku, description, quantity, unit_price_micros)
SELECT t.tenant_id, l.* FROM seed_tenants t CROSS JOIN (VALUES
  ('1001', 1, 'HP-200',    'Wireless headphones', 1,   49990000),
  ('1002', 1, 'CBL-USB-C', 'USB-C cable',         2,   39500000),
  ('1002', 2, 'STD-01',    'Desk stand',          1,   50000000),
  ('1003', 1, 'CSE-11',    'Phone case',          1,   24900000),
  ('1004', 1, 'BK-101',    'Paperback',           1,   19990000),
  ('1005', 1, 'MUG-2',     'Mug',                 4,   25000000),
  ('1006', 1, 'GFT-15',    'Gift card',           1,   15000000),
  ('1007', 1, 'TEA-G',     'Green tea',           3,  500000000)
) AS l (order_id, line_no, sku, description, quantity, unit_price_micros);

INSERT INTO crm_payments (tenant_id, id, order_id, kind, amount_micros, currency, captured_at)
SELECT t.tenant_id, p.* FROM seed_tenants t CROSS JOIN (VALUES
  ('pay-1001-a', '1001', 'charge',  49990000, 'EUR', timestamptz '2026-11-02T09:12:31Z'),
  ('pay-1001-b', '1001', 'charge',  49990000, 'EUR', timestamptz '2026-11-02T09:12:33Z'),
  ('pay-1002-a', '1002', 'charge', 129000000, 'EUR', timestamptz '2026-10-20T14:05:40Z'),
  ('pay-1003-a', '1003', 'charge',  24900000, 'EUR', timestamptz '2026-11-18T17:40:22Z'),
  ('pay-1004-a', '1004', 'charge',  19990000, 'EUR', timestamptz '2026-09-05T12:00:10Z'),
  ('pay-1004-r', '1004', 'refund',  19990000, 'EUR', timestamptz '2026-09-20T09:00:00Z'),
  ('pay-1005-a', '1005', 'charge', 100000000, 'EUR', timestamptz '2026-10-01T08:00:05Z'),
  ('pay-1005-r', '1005', 'refund',  25000000, 'EUR', timestamptz '2026-10-10T15:30:00Z')
) AS p (id, order_id, kind, amount_micros, currency, captured_at);

INSERT INTO crm_subscriptions (tenant_id, id, customer_id, plan, price_micros, currency, period_start, period_end, status)
SELECT t.tenant_id, s.* FROM seed_tenants t CROSS JOIN (VALUES
  -- monthly, for proration: 30 days, 29.99 EUR
  ('sub-42',     'cust-42', 'premium-monthly',  29990000, 'EUR', date '2026-11-01', date '2026-12-01', 'active'),
  ('sub-42-oct', 'cust-42', 'premium-monthly',  29990000, 'EUR', date '2026-10-01', date '2026-11-01', 'expired'),
  ('sub-8',      'cust-8',  'basic-annual',    120000000, 'GBP', date '2026-06-01', date '2027-06-01', 'active'),
  ('sub-7',      'cust-7',  'basic-monthly',     9990000, 'EUR', date '2026-08-01', date '2026-09-01', 'cancelled')
) AS s (id, customer_id, plan, price_micros, currency, period_start, period_end, status);

-- ... and another tenant that reuses the ids cust-42 and 1001 for different data (tenant isolation).
INSERT INTO crm_customers (tenant_id, id, name, email, tier, status, created_at) VALUES
  ('tenant-b', 'cust-42', 'Bruno Diaz', 'bruno.diaz@example.invalid', 'STANDARD', 'active', '2025-01-05T09:00:00Z');
INSERT INTO crm_orders (tenant_id, id, customer_id, status, currency, total_micros, placed_at, delivered_at) VALUES
  ('tenant-b', '1001', 'cust-42', 'delivered', 'USD', 15000000, '2026-08-14T13:00:00Z', '2026-08-16T10:00:00Z');
INSERT INTO crm_order_lines (tenant_id, order_id, line_no, sku, description, quantity, unit_price_micros) VALUES
  ('tenant-b', '1001', 1, 'NB-A5', 'Notebook', 3, 5000000);
INSERT INTO crm_payments (tenant_id, id, order_id, kind, amount_micros, currency, captured_at) VALUES
  ('tenant-b', 'pay-b-1001', '1001', 'charge', 15000000, 'USD', '2026-08-14T13:00:09Z');
