// Package reach is reachgraph's core: it evaluates the normative semantics
// R1–R8 of SPEC §2 over a projection.
//
// Authorization (R1–R4) is reachability in one graph over principals,
// resources and credentials: MEMBER_OF and CAN_ACT_AS edges, and for credential
// exposure (R3b) a read grant into a secret location, down the containment tree
// to where a credential is stored, and from the credential to its identity.
// Effective access (R5–R6) is reachability over states (principal, system with a
// session). Both are searched with a bucket queue on small integer weights so
// every answer carries a shortest evidence path: MEMBER_OF, CAN_ACT_AS and the
// final GRANT count one hop each, an exposure three (GRANT read, STORED_IN,
// HAS_CREDENTIAL) and containment none.
//
// whocan searches backwards from the grants on the resource, reach forwards
// from the identity; cycles need no depth cap because every node or state is
// settled once. as_of is a parameter: nothing here reads the clock, and every
// output is sorted.
package reach
