package main

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/reachgraph/reachgraph"

// allowed lists, per package (or package prefix ending in "/"), the module
// packages it may import directly (STYLE.md §1). A package not listed may import
// nothing of the module.
var allowed = map[string][]string{
	"schema":           {},
	"schema/iam":       {"schema"},
	"graph":            {"schema"},
	"graph/spill":      {},
	"graph/spool":      {"graph", "graph/spill"},
	"graph/memstore":   {"graph", "graph/spill", "graph/spool", "schema"},
	"graph/neo4jstore": {"graph", "graph/spill", "graph/spool", "schema"},
	"graph/projection": {"graph", "schema"},
	"graph/gen":        {"graph", "schema"},
	"graph/export":     {"graph", "schema"},
	"graph/storetest":  {"graph", "schema"},
	"graph/stores":     {"graph", "graph/memstore", "graph/neo4jstore"},
	"ingest":           {"graph", "graph/spill", "schema"},
	"ingest/":          {"ingest", "graph", "schema", "schema/iam"},
	"analysis":         {"graph", "graph/projection", "schema"},
	// graph/spill is a leaf (it imports nothing of the module): the rules
	// spill their unused-grant batches with it.
	"analysis/":        {"analysis", "analysis/", "graph", "graph/projection", "graph/spill", "schema"},
	"analysis/session": {"analysis", "analysis/", "graph", "graph/projection", "schema", "schema/iam"},
	// reachtest is the tests' helper: it may generate estates.
	"analysis/reach/reachtest": {"analysis", "analysis/", "graph", "graph/gen", "graph/projection", "schema"},
	"schema/gqlserver":         {"schema/gqlserver/", "schema/iam", "analysis", "analysis/", "graph", "graph/", "ingest", "ingest/", "schema"},
	"schema/gqlserver/":        {"schema/gqlserver/", "schema/iam", "analysis", "analysis/", "graph", "graph/", "ingest", "ingest/", "schema"},
	"cmd/cli":                  {"schema", "schema/", "graph", "graph/", "ingest", "ingest/", "analysis", "analysis/"},
	"cmd/reachgraph":           {"cmd/cli"},
	"cmd/benchtable":           {},
}

func rulesFor(pkg string) ([]string, bool) {
	if r, ok := allowed[pkg]; ok {
		return r, true
	}
	best := ""
	for k := range allowed {
		if strings.HasSuffix(k, "/") && strings.HasPrefix(pkg, k) && len(k) > len(best) {
			best = k
		}
	}
	r, ok := allowed[best]
	return r, ok && best != ""
}

func permits(rules []string, imp string) bool {
	for _, r := range rules {
		if r == imp || (strings.HasSuffix(r, "/") && strings.HasPrefix(imp, r)) {
			return true
		}
	}
	return false
}

// TestLayers fails when a package imports a module package its layer may not
// (lower layers never import higher ones; no backend imports another; analysis
// and ingest never import each other or a backend).
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		if pkg == "chk" {
			continue
		}
		rules, ok := rulesFor(pkg)
		if !ok {
			t.Errorf("package %s has no layer rule: add it to allowed in %s", pkg, path.Base("layers_test.go"))
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			checked++
			if rel := strings.TrimPrefix(imp, module+"/"); !permits(rules, rel) {
				t.Errorf("forbidden import: %s imports %s", pkg, rel)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no module-internal imports seen: go list output not understood")
	}
}

func TestPermits(t *testing.T) {
	rules, _ := rulesFor("analysis/reach")
	if permits(rules, "ingest/bundle") || permits(rules, "graph/memstore") {
		t.Fatal("analysis/reach must not be allowed to import ingest or a backend")
	}
	if !permits(rules, "graph/projection") {
		t.Fatal("analysis/reach must be allowed to import graph/projection")
	}
}
