-- Objects of the sample database finance (run as a superuser in it).
CREATE SCHEMA gl AUTHORIZATION fin_owner;
CREATE SCHEMA ap AUTHORIZATION fin_owner;
CREATE TABLE gl.journal (id bigint PRIMARY KEY, account text, amount numeric, memo text);
CREATE TABLE gl.accounts (id text PRIMARY KEY, name text);
CREATE TABLE ap.vendors (id bigint PRIMARY KEY, name text, bank_account text);
ALTER TABLE gl.journal OWNER TO fin_owner;
ALTER TABLE gl.accounts OWNER TO fin_owner;
ALTER TABLE ap.vendors OWNER TO fin_owner;
ALTER TABLE gl.journal ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON gl.journal, gl.accounts TO gl_reader;
GRANT INSERT, UPDATE ON gl.journal TO gl_writer;
GRANT SELECT ON gl.journal TO rls_reader;
GRANT UPDATE (amount) ON gl.journal TO adjuster;
GRANT SELECT, INSERT ON ap.vendors TO ap_clerk;
GRANT UPDATE (bank_account) ON ap.vendors TO ap_clerk WITH GRANT OPTION;
GRANT SELECT ON gl.accounts TO PUBLIC;
