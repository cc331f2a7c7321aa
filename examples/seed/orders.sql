-- Sample data for the demo's orders-prod target (an embedded PostgreSQL).
create table customers (
  id bigint primary key,
  email text not null unique,
  name text not null
);
create table orders (
  id bigint primary key,
  customer_id bigint not null references customers (id),
  status text not null check (status in ('pending', 'paid', 'shipped', 'refunded')),
  amount numeric(10, 2) not null,
  created_at timestamptz not null default now()
);
insert into customers (id, email, name)
select g, 'customer' || g || '@example.com', 'Customer ' || g from generate_series(1, 50) g;
insert into orders (id, customer_id, status, amount, created_at)
select g, 1 + (g % 50), (array['pending', 'paid', 'shipped', 'refunded'])[1 + g % 4], (g % 200) + 0.99,
       timestamptz '2026-01-01' + g * interval '1 hour'
from generate_series(1, 1000) g;
