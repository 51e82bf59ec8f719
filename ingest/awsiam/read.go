package awsiam

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Read is the ingest.ReadFunc of the aws-iam format without configuration.
// path is an authorization-details JSON file, a credential report CSV (told
// apart by its header), or a directory: every *.json (details, pages merged)
// and *.csv (credential report) in it is one account, read together.
func Read(ctx context.Context, path string, in *ingest.Input) error {
	return read(ctx, path, in, "", Options{})
}

// NewReader returns the aws-iam ingest.ReadFunc that applies the
// configuration file config (ParseConfig; "" for none). The file is read as
// part of every source, so its SHA-256 is in the snapshot's files and its
// problems stop the load like any input's.
func NewReader(config string) ingest.ReadFunc { return NewReaderWith(config, Options{}) }

// NewReaderWith is NewReader with policy conditions evaluated under opts
// (the export time and request context).
func NewReaderWith(config string, opts Options) ingest.ReadFunc {
	return func(ctx context.Context, path string, in *ingest.Input) error {
		return read(ctx, path, in, config, opts)
	}
}

func read(ctx context.Context, path string, in *ingest.Input, config string, opts Options) error {
	var cfg *Config
	if config != "" {
		f, err := in.Open(config)
		if err != nil {
			return err
		}
		f.ReadWhole(true)
		c, probs, err := ParseConfig(f)
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if len(probs) > 0 {
			report(f, probs)
			in.NoHeader(path, "invalid aws-iam configuration")
			return nil
		}
		cfg = c
	}
	files := []string{path}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		files = files[:0]
		for _, e := range entries {
			if n := e.Name(); e.Type().IsRegular() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".csv")) {
				files = append(files, filepath.Join(path, n))
			}
		}
		sort.Strings(files)
		if len(files) == 0 {
			in.Problem(path, "no .json or .csv file in the directory")
			in.NoHeader(path, "no AWS IAM input")
			return nil
		}
	}
	var details *Details
	var rep *Report
	var first *ingest.File
	detailsFrom := 0      // files that gave authorization details
	firstDetails := false // the first file opened gave some
	stopped := false      // a file was unreadable: its problem says so
	var rps []ResourcePolicy
	var scps []*SCP
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := in.Open(name)
		if err != nil {
			return err
		}
		if first == nil {
			first = f
		}
		f.ReadWhole(false)
		br := bufio.NewReader(f)
		if head, _ := br.Peek(512); !looksLikeExport(head) {
			// Not read whole: /dev/zero or a stray binary stops here.
			f.Stop(1, "", "neither AWS JSON (authorization details, an SCP or resource policies) nor a credential report (a CSV starting "+credentialReportHeader+")")
			stopped = true
			continue
		}
		data, err := io.ReadAll(br)
		if err != nil {
			return err
		}
		if IsCredentialReport(data) {
			r, probs, err := ParseReport(data)
			if err != nil {
				f.Stop(1, "", err.Error())
				stopped = true
				continue
			}
			report(f, probs)
			if rep == nil {
				rep = &Report{}
			}
			rep.Rows = append(rep.Rows, r.Rows...)
			continue
		}
		switch classify(data) {
		case kindSCP:
			scp, err := ParseSCP(data)
			if err != nil {
				f.Stop(0, "", "invalid organizations describe-policy JSON: "+err.Error())
				continue
			}
			scp.File = name
			scps = append(scps, scp)
			continue
		case kindResourcePolicies:
			list, err := ParseResourcePolicies(data)
			if err != nil {
				f.Stop(0, "", "invalid resource policy JSON: "+err.Error())
				continue
			}
			for i := range list {
				list[i].File = name
			}
			rps = append(rps, list...)
			continue
		}
		d, probs, err := ParseDetails(data)
		if err != nil {
			line, msg := jsonProblem(data, err)
			f.Stop(line, "", "invalid authorization-details JSON: "+msg)
			stopped = true
			continue
		}
		report(f, probs)
		detailsFrom++
		firstDetails = firstDetails || f == first
		if details == nil {
			details = d
			continue
		}
		details.Users = append(details.Users, d.Users...)
		details.Groups = append(details.Groups, d.Groups...)
		details.Roles = append(details.Roles, d.Roles...)
		for k, v := range d.Policies {
			details.Policies[k] = v
		}
	}
	if details == nil && (len(rps) > 0 || len(scps) > 0) {
		first.Stop(0, "", "resource policies and SCPs need the account's authorization details among the inputs")
		return nil
	}
	if details == nil && rep == nil {
		if !stopped {
			first.Header(nil, 0) // reports the missing header fields once
		}
		return nil
	}
	if details != nil {
		details.ResourcePolicies, details.SCPs = rps, scps
	}
	ds, err := TransformWith(details, rep, cfg, opts)
	if err != nil {
		first.Stop(0, "", err.Error())
		return nil
	}
	label := "aws-iam:"
	if details != nil && details.AccountID() != "" {
		label += details.AccountID()
	} else {
		label = "aws-credential-report:" + rep.AccountID()
	}
	first.Header([]ingest.Field{str("format", schema.FormatV1), str("source", label)}, 0)
	// A report without details declares its account and users as
	// placeholders: the details in another source of the load win.
	var at map[string]string
	if detailsFrom == 1 && firstDetails {
		at = pointers(details) // problems are reported at the first file: only its pointers fit
	}
	emit(first, ds, details == nil, at)
	return nil
}

// pointers maps the ids of the users, groups and roles of d to their
// entries in the export ("/UserDetailList/3"), so that a problem in one of
// their records points into the file rather than at the record reachgraph
// made of it.
func pointers(d *Details) map[string]string {
	acct := d.AccountID()
	out := map[string]string{}
	for _, u := range d.Users {
		out[userID(acct, u.Name)] = u.Pointer
	}
	for _, g := range d.Groups {
		out[groupID(acct, g.Name)] = g.Pointer
	}
	for _, r := range d.Roles {
		out[roleID(acct, r.Name)] = r.Pointer
	}
	return out
}

// looksLikeExport reports whether an input starts like an
// authorization-details JSON object or a credential report.
func looksLikeExport(head []byte) bool {
	t := bytes.TrimLeft(head, "\ufeff \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') || IsCredentialReport(head)
}

func report(f *ingest.File, probs []Problem) {
	for _, p := range probs {
		f.Problem(p.Line, p.Pointer, p.Msg)
	}
}

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}

func boolField(name string, v bool) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.Bool, Text: strconv.FormatBool(v)}}
}

// fields collects a record's fields, leaving out empty values.
type fields []ingest.Field

func (fs *fields) s(name, v string) {
	if v != "" {
		*fs = append(*fs, str(name, v))
	}
}

func (fs *fields) b(name string, v bool) {
	if v {
		*fs = append(*fs, boolField(name, v))
	}
}

func (fs *fields) t(name string, v time.Time) {
	if !v.IsZero() {
		*fs = append(*fs, str(name, v.UTC().Format(time.RFC3339Nano)))
	}
}

func (fs *fields) list(name string, vs []string) {
	if len(vs) == 0 {
		return
	}
	items := make([]ingest.Value, len(vs))
	for i, v := range vs {
		items[i] = ingest.Value{Kind: ingest.String, Text: v}
	}
	*fs = append(*fs, ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.List, Items: items}})
}

func (fs *fields) tags(name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v := ingest.Value{Kind: ingest.Map}
	for _, k := range keys {
		v.Fields = append(v.Fields, str(k, m[k]))
	}
	*fs = append(*fs, ingest.Field{Name: name, Value: v})
}

// Emit hands every record of ds to f (the shared loader validates them).
// With placeholders, systems and identities are placeholder declarations
// (ingest.File.AddPlaceholder).
func Emit(f *ingest.File, ds *graph.Dataset, placeholders bool) { emit(f, ds, placeholders, nil) }

// emit is Emit; a record whose id is in at gets that JSON pointer (its
// entry in the export) instead of /reachgraph/SECTION/N.
func emit(f *ingest.File, ds *graph.Dataset, placeholders bool, at map[string]string) {
	n := 0
	add := func(section string, fs fields) {
		ptr := "/reachgraph/" + section + "/" + strconv.Itoa(n)
		if len(fs) > 0 && fs[0].Name == "id" {
			if p, ok := at[fs[0].Value.Text]; ok {
				ptr = p
			}
		}
		rec := &ingest.Record{Section: section, Fields: fs, Index: n, Pointer: ptr}
		if placeholders && (section == "systems" || section == "identities") {
			f.AddPlaceholder(rec)
		} else {
			f.Add(rec)
		}
		n++
	}
	for _, r := range ds.SystemList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		fs.b("sox_scope", r.SOXScope)
		fs.s("owner", r.Owner)
		add("systems", fs)
	}
	for _, r := range ds.ResourceList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("system", r.System)
		fs.s("parent", r.Parent)
		fs.s("name", r.Name)
		fs.s("kind", r.Kind)
		if r.SOXScope != nil {
			fs = append(fs, boolField("sox_scope", *r.SOXScope))
		}
		add("resources", fs)
	}
	for _, r := range ds.IdentityList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("status", string(r.Status))
		fs.s("nonhuman_rationale", r.NonhumanRationale)
		fs.s("purpose", r.Purpose)
		owners := map[string]string{}
		if r.Owners.Business != "" {
			owners["business"] = r.Owners.Business
		}
		if r.Owners.Technical != "" {
			owners["technical"] = r.Owners.Technical
		}
		fs.tags("owners", owners)
		fs.b("break_glass", r.BreakGlass)
		fs.t("created_at", r.CreatedAt)
		fs.t("last_used_at", r.LastUsedAt)
		fs.tags("tags", r.Tags)
		add("identities", fs)
	}
	for _, r := range ds.GroupList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("name", r.Name)
		fs.s("type", string(r.Type))
		fs.s("system", r.System)
		add("groups", fs)
	}
	for _, r := range ds.MembershipList {
		var fs fields
		fs.s("member", r.Member)
		fs.s("group", r.Group)
		add("memberships", fs)
	}
	for _, r := range ds.GrantList {
		var fs fields
		fs.s("principal", r.Principal)
		fs.s("action", string(r.Action))
		fs.s("resource", r.Resource)
		fs.s("native", r.Native)
		fs.b("conditional", r.Conditional)
		add("grants", fs)
	}
	for _, r := range ds.CredentialList {
		var fs fields
		fs.s("id", r.ID)
		fs.s("identity", r.Identity)
		fs.s("type", string(r.Type))
		fs.list("systems", r.Systems)
		fs.t("created_at", r.CreatedAt)
		fs.t("last_rotated_at", r.LastRotatedAt)
		fs.t("last_used_at", r.LastUsedAt)
		fs.b("revoked", r.Revoked)
		add("credentials", fs)
	}
	for _, r := range ds.DelegationList {
		var fs fields
		fs.s("from", r.From)
		fs.s("to", r.To)
		fs.s("kind", string(r.Kind))
		fs.s("system", r.System)
		fs.s("native", r.Native)
		add("delegations", fs)
	}
}
