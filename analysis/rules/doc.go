// Package rules evaluates the controls of SPEC §5.3 over one snapshot and
// returns findings: segregation-of-duties conflicts between named functions
// held by one actor (R7), toxic paths described by CEL predicates over an
// access and its evidence path, and hygiene checks over identities,
// credentials and grants.
//
// A Ruleset is the built-in ruleset (builtin.yaml, embedded) merged with
// optional YAML files (a rule or function with the same id overrides). Every
// Finding has an id that is stable across runs on the same data, exact
// framework references (shared/reference/standards.md §7), and evidence paths.
// Evaluate takes the instant of analysis from the engine; nothing here reads
// the clock.
package rules
