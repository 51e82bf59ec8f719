// Package sap reads SAP ABAP authorization table extracts (USR02, AGR_USERS,
// AGR_1251, AGR_1252, AGR_AGRS, UST04, UST12, UST10S, UST10C, USREFUS, USR21,
// ADR6 — downloaded with SE16/SE16N or RFC_READ_TABLE) and maps them into the
// reachgraph model: users become identities with a password credential, roles
// and profiles become groups, and the authorization instances of each role or
// profile are evaluated against a function map (transaction or RFC entry plus
// object checks per company code) to place grants on journal entries, vendor
// master data, payment runs and the other finance objects.
//
// The reader (Read) streams each table file and keeps only the rows that can
// matter (authorization objects named by the function map); Transform is pure
// and deterministic; Emit hands the result to the shared loader.
// docs/ingest-sap.md describes the semantics and what is not modelled.
package sap
