-- Large catalog for BenchmarkFetchTransformLarge: :roles roles (every even
-- one LOGIN and a member of the NOLOGIN one before it) and, in database
-- pgbench_catalog, :tables tables in 100 schemas, each granted SELECT, INSERT
-- to one NOLOGIN role and UPDATE(amount) to one login role. Run with
--   psql -v roles=10000 -v tables=100000 -d pgbench_catalog -f bench-setup.sql
-- after CREATE DATABASE pgbench_catalog. Commits every 1,000 objects; re-running
-- with larger numbers adds what is missing.
SELECT set_config('bench.roles', :'roles', false), set_config('bench.tables', :'tables', false);
DO $$
DECLARE n int := current_setting('bench.roles')::int;
BEGIN
  FOR i IN 1..n LOOP
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_r' || i);
    EXECUTE format('CREATE ROLE bench_r%s %s', i, CASE WHEN i % 2 = 0 THEN 'LOGIN' ELSE 'NOLOGIN' END);
    IF i % 2 = 0 THEN EXECUTE format('GRANT bench_r%s TO bench_r%s', i - 1, i); END IF;
    IF i % 1000 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
DO $$
BEGIN
  FOR s IN 0..99 LOOP EXECUTE format('CREATE SCHEMA IF NOT EXISTS s%s', s); END LOOP;
END $$;
DO $$
DECLARE n int := current_setting('bench.tables')::int; r int := current_setting('bench.roles')::int;
BEGIN
  FOR i IN 1..n LOOP
    CONTINUE WHEN to_regclass(format('s%s.t%s', i % 100, i)) IS NOT NULL;
    EXECUTE format('CREATE TABLE s%s.t%s (id int, amount numeric)', i % 100, i);
    EXECUTE format('GRANT SELECT, INSERT ON s%s.t%s TO bench_r%s', i % 100, i, 1 + 2 * ((i * 7) % (r / 2)));
    EXECUTE format('GRANT UPDATE (amount) ON s%s.t%s TO bench_r%s', i % 100, i, 2 + 2 * ((i * 13) % (r / 2)));
    IF i % 1000 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
