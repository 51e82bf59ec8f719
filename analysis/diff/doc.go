// Package diff compares two snapshots: identities, critical accesses
// (effective and latent) and findings gained and lost, with evidence paths for
// what was gained, and the validity windows of memberships, grants and
// delegations that changed. Output is sorted so it is byte-reproducible.
package diff
