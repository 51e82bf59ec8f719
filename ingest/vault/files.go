package vault

import (
	"bytes"
	"path"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
)

// dirReader decodes the files of one export directory into exp.
type dirReader struct {
	in    *ingest.Input
	root  string
	exp   *Export
	first *ingest.File // the first file opened: it carries the header
	roles []string     // role files whose mount type is resolved at the end
}

// config reads the configuration: the given file, else vault.yaml in the
// export directory; ok is false when it has problems (reported).
func (d *dirReader) config(explicit string) (*Config, bool, error) {
	name := explicit
	if name == "" {
		name = path.Join(d.root, ConfigName)
		if !fileExists(name) {
			return nil, true, nil
		}
	}
	return ingest.ParseSideFile(d.in, name, d.root, "invalid vault configuration",
		func(f *ingest.File) (*Config, []ConfigProblem, error) { return ParseConfig(f) },
		func(f *ingest.File, p ConfigProblem) { f.Problem(p.Line, "", p.Msg) })
}

// file dispatches one file of the export by its path relative to the root.
func (d *dirReader) file(rel string) error {
	segs := strings.Split(rel, "/")
	base := segs[len(segs)-1]
	switch {
	case rel == ConfigName:
		return nil
	case kvDataFile(segs):
		d.in.Problem(path.Join(d.root, rel), "this file is under a KV v2 data path and would hold secret values: it was not read; export metadata only (<mount>/metadata/…, docs/ingest-vault.md)")
		return nil
	case rel == "sys/auth.json":
		return d.open(rel, d.sysAuth)
	case len(segs) == 3 && segs[0] == "sys" && segs[1] == "policy", len(segs) == 4 && segs[0] == "sys" && segs[1] == "policies" && segs[2] == "acl":
		if strings.HasSuffix(base, ".json") || strings.HasSuffix(base, ".hcl") {
			return d.open(rel, d.policy)
		}
	case segs[0] == "auth" && len(segs) >= 3:
		return d.authFile(rel, segs)
	case segs[0] != "sys" && metadataAt(segs) > 0 && strings.HasSuffix(base, ".json"):
		return d.open(rel, d.kvMetadata)
	}
	return nil // not part of the mapping: ignored (docs/ingest-vault.md)
}

// authFile dispatches the files below auth/: role reads, AppRole secret-id
// lookups and mount configs.
func (d *dirReader) authFile(rel string, segs []string) error {
	n := len(segs)
	switch {
	case n >= 4 && segs[n-2] == "role" && strings.HasSuffix(segs[n-1], ".json") && segs[n-1] != "role-id.json":
		return d.open(rel, d.role)
	case n >= 6 && segs[n-4] == "role" && segs[n-2] == "secret-id" && strings.HasSuffix(segs[n-1], ".json"):
		return d.open(rel, d.secretID)
	case n >= 3 && segs[n-1] == "config.json":
		return d.open(rel, d.authConfig)
	}
	return nil
}

// kvDataFile reports a path below "<mount>/data/" outside sys/ and auth/.
func kvDataFile(segs []string) bool {
	if segs[0] == "sys" || segs[0] == "auth" {
		return false
	}
	for i := 1; i < len(segs)-1; i++ {
		switch segs[i] {
		case "data":
			return true
		case "metadata":
			return false
		}
	}
	return false
}

// metadataAt is the index of the first "metadata" segment that has a
// mount before it and a path after it, or -1.
func metadataAt(segs []string) int {
	for i := 1; i < len(segs)-1; i++ {
		if segs[i] == "metadata" {
			return i
		}
	}
	return -1
}

// open opens rel, reads it whole (capped) and hands it to decode.
func (d *dirReader) open(rel string, decode func(f *ingest.File, rel string, data []byte)) error {
	f, err := d.in.Open(path.Join(d.root, rel))
	if err != nil {
		return err
	}
	if d.first == nil {
		d.first = f
	}
	data, ok, err := readAll(f)
	if err != nil {
		return err
	}
	if ok {
		decode(f, rel, data)
	}
	return f.Close()
}

// envelope decodes a JSON envelope's data into v, reporting a problem.
func envelope(f *ingest.File, data []byte, v any) bool {
	if p := decodeEnvelope(data, v); p != nil {
		f.Problem(p.Line, p.Pointer, p.Msg)
		return false
	}
	return true
}

// fieldLine is the line of the first occurrence of "key" in data, 0 if none.
func fieldLine(data []byte, key string) int {
	i := bytes.Index(data, []byte(`"`+key+`"`))
	if i < 0 {
		return 0
	}
	return lineAt(data, int64(i))
}
