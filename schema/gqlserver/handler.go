package gqlserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/schema/gqlserver/generated"
)

// Handler returns the HTTP handler: POST/GET /graphql, the console at / (when
// enabled), /healthz (the process is up), /readyz (the store answers) and
// /metrics (Prometheus).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	gql := s.instrument("graphql", s.graphqlHandler())
	mux.Handle("GET /graphql", gql)
	mux.Handle("POST /graphql", gql)
	mux.Handle("GET /healthz", s.instrument("healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok\n")
	})))
	mux.Handle("GET /readyz", s.instrument("readyz", http.HandlerFunc(s.ready)))
	metrics := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	if !s.opts.MetricsPublic {
		metrics = s.requireToken(metrics)
	}
	mux.Handle("GET /metrics", metrics)
	if s.opts.Console {
		mux.Handle("GET /", s.instrument("console", consoleHandler()))
	}
	if s.opts.Tokens == nil {
		return loopbackHostsOnly(mux)
	}
	return mux
}

// requireToken serves h only to requests with a valid bearer token (any
// role); without tokens (auth disabled) everyone may.
func (s *Server) requireToken(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Tokens != nil {
			tok, ok := bearer(r)
			if ok {
				_, ok = s.opts.Tokens.authenticate(tok)
			}
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="reachgraph"`)
				writeText(w, http.StatusUnauthorized, "unauthorized: /metrics needs a bearer token (or serve --metrics-public)\n")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// loopbackHostsOnly refuses requests whose Host header is not a loopback
// name or address. Without authentication the server listens on loopback
// only, but a web page the user visits could still reach it through a DNS
// name that resolves to 127.0.0.1 (DNS rebinding); such requests carry the
// attacker's host name and are refused here.
func loopbackHostsOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopbackHost(r.Host) {
			writeText(w, http.StatusMisdirectedRequest, "host not allowed: without authentication only localhost, 127.0.0.1 and [::1] are served\n")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.opts.Store.Snapshots(ctx); err != nil {
		s.log.WarnContext(ctx, "readyz: store not ready", "err", err)
		writeText(w, http.StatusServiceUnavailable, "store not ready\n")
		return
	}
	writeText(w, http.StatusOK, "ready\n")
}

func writeText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg)
}

// executor builds the gqlgen handler with the limits and extensions.
func (s *Server) executor() *handler.Server {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{srv: s}, Complexity: complexity()})
	h := handler.New(es)
	h.AddTransport(transport.GET{})
	h.AddTransport(transport.POST{})
	if s.opts.Introspection {
		h.Use(extension.Introspection{})
	} else {
		// "Did you mean" suggestions would spell out the schema that
		// introspection is off to hide.
		h.SetDisableSuggestion(true)
	}
	h.Use(operationGuard{maxDepth: s.opts.MaxDepth})
	h.Use(extension.FixedComplexityLimit(s.opts.MaxComplexity))
	h.SetErrorPresenter(presentError(s.log))
	h.SetRecoverFunc(recoverPanic(s.log))
	h.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// gqlgen gives up without an answer once the deadline passed.
			return &graphql.Response{Errors: gqlerror.List{{Message: "the query exceeded the server's per-request time limit",
				Extensions: map[string]any{"code": CodeTimeout}}}}
		}
		if resp == nil || !graphql.HasOperationContext(ctx) {
			return resp
		}
		typ := "unknown"
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			typ = string(op.Operation)
		}
		outcome := "ok"
		if len(resp.Errors) > 0 {
			outcome = "error"
		}
		s.metrics.operations.WithLabelValues(typ, outcome).Inc()
		return resp
	})
	return h
}

// graphqlHandler authenticates, caps the body and the principal's
// concurrent requests, sets the deadline and the per-request budget, and
// answers 403 when the operation guard refused the role. The response is
// written as gqlgen produces it: no buffering of whole answers, and no work
// left running after the deadline (the context reaches the engine).
func (s *Server) graphqlHandler() http.Handler {
	exec := s.executor()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := anonymous
		if s.opts.Tokens != nil {
			tok, ok := bearer(r)
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="reachgraph"`)
				writeGraphQLError(w, http.StatusUnauthorized, CodeUnauthenticated, "unauthorized: send Authorization: Bearer <token>")
				return
			}
			if p, ok = s.opts.Tokens.authenticate(tok); !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="reachgraph", error="invalid_token"`)
				writeGraphQLError(w, http.StatusUnauthorized, CodeUnauthenticated, "unauthorized: unknown token")
				return
			}
		}
		rq := requestFrom(r.Context())
		rq.principal = p
		release, ok := s.slots.acquire(p.Name)
		if !ok {
			w.Header().Set("Retry-After", "1")
			writeGraphQLError(w, http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
				"too many concurrent requests for this token (at most "+strconv.Itoa(s.opts.MaxConcurrentPerToken)+")")
			return
		}
		defer release()
		if r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
			if err != nil {
				writeGraphQLError(w, http.StatusBadRequest, CodeBadUserInput, "could not read the request body")
				return
			}
			if int64(len(body)) > s.opts.MaxBodyBytes {
				writeGraphQLError(w, http.StatusRequestEntityTooLarge, CodeBadUserInput, "request body exceeds "+strconv.FormatInt(s.opts.MaxBodyBytes, 10)+" bytes")
				return
			}
			if r.Method == http.MethodPost && !json.Valid(body) {
				// gqlgen's own message would echo the body back.
				writeGraphQLError(w, http.StatusBadRequest, CodeBadUserInput, "the request body is not valid JSON (a GraphQL request is a JSON object with a query)")
				return
			}
			rq.setQueryDigest(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
		defer cancel()
		ctx = session.WithBudget(ctx, session.NewBudget(s.opts.MaxCost))
		exec.ServeHTTP(&forbidWriter{ResponseWriter: w, rq: rq, ctx: ctx}, r.WithContext(ctx))
	})
}

// forbidWriter turns the status into 403 when the operation guard refused
// the principal's role, and into 503 when the deadline passed before the
// answer was written.
type forbidWriter struct {
	http.ResponseWriter
	rq    *request
	ctx   context.Context
	wrote bool
}

func (f *forbidWriter) WriteHeader(code int) {
	if f.wrote {
		return
	}
	f.wrote = true
	switch {
	case f.rq.isForbidden():
		code = http.StatusForbidden
	case errors.Is(f.ctx.Err(), context.DeadlineExceeded):
		code = http.StatusServiceUnavailable // the answer is cut by the time limit
	}
	f.ResponseWriter.WriteHeader(code)
}

func (f *forbidWriter) Write(b []byte) (int, error) {
	if !f.wrote {
		f.WriteHeader(http.StatusOK)
	}
	if errors.Is(f.ctx.Err(), context.DeadlineExceeded) && bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		// gqlgen answers a request whose deadline passed before execution
		// with a bare null: say why instead.
		if _, err := io.WriteString(f.ResponseWriter, timeoutBody); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return f.ResponseWriter.Write(b)
}

// timeoutBody is the answer to a request whose deadline passed before
// anything was computed.
const timeoutBody = `{"errors":[{"message":"the query exceeded the server's per-request time limit","extensions":{"code":"TIMEOUT"}}],"data":null}`

// writeGraphQLError answers with a GraphQL-shaped error body carrying
// extensions.code.
func writeGraphQLError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}}})
}

// instrument wraps h with the request state, metrics and the request log
// (client address, principal, operation name and the SHA-256 of the request
// body; never a token, never the query text, which may carry ids).
func (s *Server) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rq := &request{}
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r.WithContext(withRequest(r.Context(), rq)))
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(name, strconv.Itoa(sw.code)).Inc()
		s.metrics.duration.WithLabelValues(name).Observe(elapsed.Seconds())
		s.log.InfoContext(r.Context(), "request", "handler", name, "method", r.Method, "path", r.URL.Path,
			"client", r.RemoteAddr, "status", sw.code, "principal", rq.principal.Name, "role", string(rq.principal.Role),
			"operation", rq.operationName(), "query_sha256", rq.queryDigest(), "duration_ms", elapsed.Milliseconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}
