-- Sample cluster for the postgres ingester (run as a superuser in database
-- postgres; then finance.sql in database finance). Re-runnable: it drops
-- what it creates. Statements are separated by ";" at the end of a line.
DROP DATABASE IF EXISTS finance;
DROP ROLE IF EXISTS alice, bob, carol, dba, etl_loader, report_svc, batch_writer, old_contractor, rls_reader, trusted_etl, ap_admin, adjuster, audit_ro;
DROP ROLE IF EXISTS fin_owner, gl_reader, gl_writer, ap_clerk;
-- NOLOGIN roles: groups.
CREATE ROLE fin_owner NOLOGIN;
CREATE ROLE gl_reader NOLOGIN;
CREATE ROLE gl_writer NOLOGIN;
CREATE ROLE ap_clerk NOLOGIN;
-- Login roles: identities.
CREATE ROLE alice LOGIN PASSWORD 'x-alice';
CREATE ROLE bob LOGIN PASSWORD 'x-bob';
CREATE ROLE carol LOGIN NOINHERIT PASSWORD 'x-carol';
CREATE ROLE dba LOGIN SUPERUSER PASSWORD 'x-dba';
CREATE ROLE etl_loader LOGIN NOINHERIT PASSWORD 'x-etl';
CREATE ROLE report_svc LOGIN PASSWORD 'x-report';
CREATE ROLE batch_writer LOGIN PASSWORD 'x-batch';
CREATE ROLE old_contractor LOGIN PASSWORD 'x-old' VALID UNTIL '2020-01-01 00:00:00+00';
CREATE ROLE rls_reader LOGIN BYPASSRLS PASSWORD 'x-rls';
CREATE ROLE trusted_etl LOGIN;
CREATE ROLE ap_admin LOGIN PASSWORD 'x-apadmin';
CREATE ROLE adjuster LOGIN PASSWORD 'x-adjuster';
CREATE ROLE audit_ro LOGIN PASSWORD 'x-audit';
-- Memberships.
GRANT gl_reader TO alice;
GRANT gl_writer TO etl_loader;
GRANT gl_writer TO old_contractor;
GRANT gl_writer TO trusted_etl;
GRANT alice TO bob;
GRANT etl_loader TO carol;
GRANT ap_clerk TO ap_admin WITH ADMIN OPTION;
GRANT pg_read_all_data TO report_svc;
GRANT pg_write_all_data TO batch_writer;
CREATE DATABASE finance OWNER fin_owner;
