package gqlserver

// Resolver is the root resolver; its dependencies are injected by NewServer.
type Resolver struct {
	srv *Server
}
