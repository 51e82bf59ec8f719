// Package sapgen writes synthetic SAP ABAP table extracts (USR02,
// AGR_USERS, AGR_1251, AGR_1252, AGR_AGRS, UST04 and sap.yaml) shaped like a
// real system: most AGR_1251 rows are transactions and objects outside the
// finance function map, a fraction of roles post, park, pay or maintain
// vendors, derived roles take their company code from AGR_1252. The same
// options and seed always give the same files, byte for byte.
package sapgen
