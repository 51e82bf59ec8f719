package awsiam

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
		c, ok, err := ingest.ParseSideFile(in, config, path, "invalid aws-iam configuration",
			func(f *ingest.File) (*Config, []Problem, error) {
				f.ReadWhole(true)
				return ParseConfig(f)
			},
			func(f *ingest.File, p Problem) { f.Problem(p.Line, p.Pointer, p.Msg) })
		if !ok {
			return err
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
		br := bufio.NewReader(f)
		head, _ := br.Peek(512)
		if err := f.Err(); err != nil {
			return err // over its cap (a regular file is refused at its first read)
		}
		if !looksLikeExport(head) {
			// Not read further: /dev/zero or a stray binary stops here.
			f.Stop(1, "", "neither AWS JSON (authorization details, an SCP or resource policies) nor a credential report (a CSV starting "+credentialReportHeader+")")
			stopped = true
			continue
		}
		var data []byte
		var d *Details
		var probs []Problem
		if !IsCredentialReport(head) {
			// Authorization details are decoded as a stream; other JSON
			// (SCPs, resource policies) is read whole, under its cap.
			var prefix []byte
			d, probs, prefix, err = decodeJSON(stallEOF{br}, int64(f.Limits().RecordBytes))
			var je *jsonError
			if errors.As(err, &je) {
				f.Stop(je.line, "", "invalid authorization-details JSON: "+je.msg)
				stopped = true
				continue
			}
			if err != nil {
				return err
			}
			if d == nil {
				if data, err = readRest(f, name, prefix, br); err != nil {
					return err
				}
			}
		} else {
			f.ReadWhole(false)
			if data, err = io.ReadAll(br); err != nil {
				return err
			}
		}
		if d == nil {
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
			d, probs, err = ParseDetails(data)
			if err != nil {
				line, msg := jsonProblem(data, err)
				f.Stop(line, "", "invalid authorization-details JSON: "+msg)
				stopped = true
				continue
			}
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

// readRest reads the rest of a JSON input that is not authorization
// details, after prefix, under the cap of an input read whole.
func readRest(f *ingest.File, name string, prefix []byte, br io.Reader) ([]byte, error) {
	whole := f.Limits().WholeFileBytes
	rest, err := io.ReadAll(io.LimitReader(stallEOF{br}, whole-int64(len(prefix))+1))
	if err != nil {
		return nil, err
	}
	if int64(len(prefix)+len(rest)) > whole {
		return nil, &ingest.LimitError{File: name, Limit: whole, What: "an input read whole"}
	}
	return append(prefix, rest...), nil
}

// stallEOF ends a reader that returns no bytes and no error (an input file
// at exactly its cap does) with io.EOF, so that io.ReadAll and json.Decoder
// do not wait for more.
type stallEOF struct{ r io.Reader }

func (s stallEOF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n == 0 && err == nil && len(p) > 0 {
		err = io.EOF
	}
	return n, err
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

// Emit hands every record of ds to f (the shared loader validates them).
// With placeholders, systems and identities are placeholder declarations
// (ingest.File.AddPlaceholder).
func Emit(f *ingest.File, ds *graph.Dataset, placeholders bool) { emit(f, ds, placeholders, nil) }

// emit is Emit; a record whose id is in at gets that JSON pointer (its
// entry in the export) instead of /reachgraph/SECTION/N.
func emit(f *ingest.File, ds *graph.Dataset, placeholders bool, at map[string]string) {
	f.Emit(ds, ingest.EmitOptions{Placeholders: placeholders, Pointer: func(_, id string, _ int) string { return at[id] }})
}
