package reach

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

func TestSmoke(t *testing.T) {
	d := &graph.Dataset{}
	d.PutSystem(graph.System{ID: "sap", SOXScope: true})
	d.PutSystem(graph.System{ID: "vault"})
	d.PutResource(graph.Resource{ID: "sap:fi", System: "sap"})
	d.PutResource(graph.Resource{ID: "sap:fi:je", System: "sap", Parent: "sap:fi", Kind: "journal_entry"})
	d.PutResource(graph.Resource{ID: "vault:kv", System: "vault"})
	d.PutResource(graph.Resource{ID: "vault:kv/batch", System: "vault", Parent: "vault:kv"})
	d.PutIdentity(graph.Identity{ID: "bob", Type: "human", Status: "active"})
	d.PutIdentity(graph.Identity{ID: "svc-batch", Type: "service_account", Status: "active"})
	d.PutIdentity(graph.Identity{ID: "ci", Type: "workload", Status: "active"})
	d.PutGroup(graph.Group{ID: "g-fin", Type: "group"})
	d.PutGroup(graph.Group{ID: "r-poster", Type: "role"})
	d.PutMembership(graph.Membership{Member: "bob", Group: "g-fin"})
	d.PutMembership(graph.Membership{Member: "svc-batch", Group: "r-poster"})
	d.PutGrant(graph.Grant{Principal: "r-poster", Action: "write", Resource: "sap:fi", Native: "F_BKPF"})
	d.PutGrant(graph.Grant{Principal: "ci", Action: "read", Resource: "vault:kv", Native: "kv read"})
	d.PutCredential(graph.Credential{ID: "c-bob", Identity: "bob", Type: "password", Systems: []string{"sap"}})
	d.PutCredential(graph.Credential{ID: "c-ci", Identity: "ci", Type: "token", Systems: []string{"vault"}})
	d.PutCredential(graph.Credential{ID: "c-batch", Identity: "svc-batch", Type: "api_key", StoredIn: "vault:kv/batch"})
	d.PutDelegation(graph.Delegation{From: "g-fin", To: "svc-batch", Kind: "run_as"})
	p, err := projection.Build(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	e := New(p, time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC))
	acc, err := e.WhoCan(WhoCanQuery{Action: schema.ActionWrite, Resource: "sap:fi:je"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(acc, "", " ")
	t.Log(string(b))
	acc, _ = e.Reach(ReachQuery{Identity: "ci", Actions: []schema.Action{"write"}})
	b, _ = json.MarshalIndent(acc, "", " ")
	t.Log(string(b))
}

func TestSmokePaths(t *testing.T) {
	d := &graph.Dataset{}
	d.PutSystem(graph.System{ID: "sap", SOXScope: true})
	d.PutResource(graph.Resource{ID: "je", System: "sap"})
	d.PutIdentity(graph.Identity{ID: "bob", Type: "human", Status: "active"})
	d.PutGroup(graph.Group{ID: "g1", Type: "group"})
	d.PutGroup(graph.Group{ID: "g2", Type: "group"})
	d.PutMembership(graph.Membership{Member: "bob", Group: "g1"})
	d.PutMembership(graph.Membership{Member: "g1", Group: "g2"})
	d.PutMembership(graph.Membership{Member: "g2", Group: "g1"})
	d.PutGrant(graph.Grant{Principal: "g2", Action: "admin", Resource: "sap"})
	d.PutGrant(graph.Grant{Principal: "g1", Action: "write", Resource: "je"})
	d.PutGrant(graph.Grant{Principal: "bob", Action: "write", Resource: "sap"})
	p, _ := projection.Build(context.Background(), d)
	e := New(p, time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC))
	ps, err := e.Paths("bob", "je", "write", 5)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ps)
	t.Log(string(b))
}
