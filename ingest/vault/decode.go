package vault

import (
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/ingest"
)

func fileExists(name string) bool {
	st, err := os.Stat(name)
	return err == nil && st.Mode().IsRegular()
}

// sysAuth decodes sys/auth.json: mount path → type.
func (d *dirReader) sysAuth(f *ingest.File, _ string, data []byte) {
	var mounts map[string]authMount
	if !envelope(f, data, &mounts) {
		return
	}
	for m, a := range mounts {
		d.exp.Mounts[strings.Trim(m, "/")] = a.Type
	}
}

// policy decodes sys/policy/NAME.json|.hcl or sys/policies/acl/NAME.json.
func (d *dirReader) policy(f *ingest.File, rel string, data []byte) {
	name := strings.TrimSuffix(strings.TrimSuffix(path.Base(rel), ".json"), ".hcl")
	text, offset, ptr := data, 0, ""
	if strings.HasSuffix(rel, ".json") {
		var pd policyData
		if !envelope(f, data, &pd) {
			return
		}
		text, ptr = []byte(pd.Rules), "/data/rules"
		if pd.Policy != "" || pd.Rules == "" {
			text, ptr = []byte(pd.Policy), "/data/policy"
		}
		if pd.Name != "" {
			name = pd.Name
		}
		offset = fieldLine(data, strings.TrimPrefix(ptr, "/data/"))
		if len(strings.TrimSpace(string(text))) == 0 && name != "root" {
			f.Problem(offset, "/data", `no policy text: expected "rules" (sys/policy) or "policy" (sys/policies/acl)`)
			return
		}
	}
	for _, other := range d.exp.Policies {
		if other.Name == name {
			f.Problemf(0, "", "policy %q is given twice (also in %s): keep one file per policy", name, other.File)
			return
		}
	}
	rules, probs := ParsePolicy(f.Name(), text)
	for _, p := range probs {
		if ptr == "" {
			f.Problem(p.Line, "", p.Msg)
			continue
		}
		f.Problem(offset, ptr, fmt.Sprintf("policy line %d: %s", p.Line, p.Msg))
	}
	d.exp.Policies = append(d.exp.Policies, Policy{Name: name, File: f.Name(), Rules: rules})
}

// role records an auth role read; its mount type is resolved at the end.
func (d *dirReader) role(f *ingest.File, rel string, data []byte) {
	segs := strings.Split(rel, "/")
	n := len(segs)
	r := Role{Mount: strings.Join(segs[1:n-2], "/"), Name: strings.TrimSuffix(segs[n-1], ".json"), File: f.Name()}
	if !envelope(f, data, &r.Data) {
		return
	}
	d.exp.Roles = append(d.exp.Roles, r)
}

// secretID records an AppRole secret-id accessor lookup.
func (d *dirReader) secretID(f *ingest.File, rel string, data []byte) {
	segs := strings.Split(rel, "/")
	n := len(segs)
	var l secretIDLookup
	if !envelope(f, data, &l) {
		return
	}
	if l.Accessor == "" {
		l.Accessor = strings.TrimSuffix(segs[n-1], ".json")
	}
	key := strings.Join(segs[1:n-4], "/") + "/" + segs[n-3]
	d.exp.SecretIDs[key] = append(d.exp.SecretIDs[key], SecretID{Accessor: l.Accessor,
		Created: time.Time(l.CreationTime), Expires: time.Time(l.ExpirationTime), File: f.Name()})
}

// authConfig records a jwt/oidc mount's issuer.
func (d *dirReader) authConfig(f *ingest.File, rel string, data []byte) {
	var c authConfig
	if !envelope(f, data, &c) {
		return
	}
	mount := strings.TrimSuffix(strings.TrimPrefix(rel, "auth/"), "/config.json")
	if iss := cmpOr(c.BoundIssuer, cmpOr(c.OIDCDiscoveryURL, c.JWKSURL)); iss != "" {
		d.exp.Issuers[mount] = iss
	}
}

// kvMetadata records a KV v2 metadata read; a data read is refused.
func (d *dirReader) kvMetadata(f *ingest.File, rel string, data []byte) {
	s, p := parseKVMetadata(rel, data)
	if p != nil {
		f.Problem(p.Line, p.Pointer, p.Msg)
		return
	}
	s.File = f.Name()
	d.exp.Secrets = append(d.exp.Secrets, s)
}

// resolveMounts gives every role its mount type from sys/auth.json, or from
// the mount's name when sys/auth.json does not list it; roles of other
// auth methods are dropped (not modelled), unknown mounts reported.
func (d *dirReader) resolveMounts() {
	roles := d.exp.Roles[:0]
	for _, r := range d.exp.Roles {
		typ, ok := d.exp.Mounts[r.Mount]
		if !ok {
			typ = path.Base(r.Mount)
		}
		switch typ {
		case "kubernetes", "approle", "jwt", "oidc":
			r.Type = typ
			roles = append(roles, r)
		default:
			if !ok {
				d.in.Problem(r.File, fmt.Sprintf("auth mount %q: its type is unknown; export sys/auth.json (vault read -format=json sys/auth) or name the mount kubernetes, approle, jwt or oidc", r.Mount))
			}
		}
	}
	d.exp.Roles = roles
}
