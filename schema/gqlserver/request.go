package gqlserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// Role is what a principal may do.
type Role string

// The roles of SPEC §5.2.
const (
	// RoleAuditor may run every query, no mutation.
	RoleAuditor Role = "auditor"
	// RoleAdmin may also ingest.
	RoleAdmin Role = "admin"
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Name string
	Role Role
}

// anonymous is the principal of requests served with auth disabled.
var anonymous = Principal{Name: "anonymous", Role: RoleAdmin}

// request is the request-scoped state, reached through requestFrom.
type request struct {
	principal Principal

	mu        sync.Mutex
	operation string
	forbidden bool
	digest    string
}

// setQueryDigest records the SHA-256 of the request body for the audit log.
func (r *request) setQueryDigest(body []byte) {
	sum := sha256.Sum256(body)
	r.mu.Lock()
	r.digest = hex.EncodeToString(sum[:])
	r.mu.Unlock()
}

func (r *request) queryDigest() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.digest
}

func (r *request) setOperation(name string) {
	r.mu.Lock()
	r.operation = name
	r.mu.Unlock()
}

func (r *request) operationName() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.operation
}

func (r *request) setForbidden() {
	r.mu.Lock()
	r.forbidden = true
	r.mu.Unlock()
}

func (r *request) isForbidden() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forbidden
}

type requestKey struct{}

func withRequest(ctx context.Context, r *request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// requestFrom returns the request state; nil outside a served request.
func requestFrom(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	return r
}

// PrincipalFrom returns the authenticated principal of ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	r := requestFrom(ctx)
	if r == nil {
		return Principal{}, false
	}
	return r.principal, true
}
