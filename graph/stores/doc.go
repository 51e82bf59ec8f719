// Package stores opens a graph.Store from a store URL (the --store flag or
// REACHGRAPH_STORE). It is the only package that knows every backend; it picks
// one with a plain switch on the URL scheme, so there is no registry and no
// init-time side effect:
//
//	""                     the embedded store in ./reachgraph.db
//	file:PATH, file://PATH the embedded store in PATH
//	PATH                   the embedded store in PATH (anything without a scheme)
//	neo4j://, neo4j+s://, neo4j+ssc://, bolt://, bolt+s://, bolt+ssc://
//	                       a Neo4j server (graph/neo4jstore); credentials from the
//	                       URL's user info, else NEO4J_USERNAME / NEO4J_PASSWORD
//	                       read through Options.Getenv, else none
//
// Any other "scheme://" is an error, so that a typo never silently becomes a
// file name. Errors never print a URL's password.
package stores
