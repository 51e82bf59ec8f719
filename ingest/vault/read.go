package vault

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Reader reads Vault exports; it remembers the KV v2 updated times of what
// it read so that a link layer can date the credentials stored there.
type Reader struct {
	config string
	kv     map[string]time.Time
}

// New returns a Reader that applies configuration file config ("" for
// vault.yaml in the export directory, when there is one).
func New(config string) *Reader { return &Reader{config: config, kv: map[string]time.Time{}} }

// NewReader returns the vault ingest.ReadFunc with configuration file
// config (see New).
func NewReader(config string) ingest.ReadFunc { return New(config).Read }

// Read is the vault ingest.ReadFunc without a configuration file.
func Read(ctx context.Context, path string, in *ingest.Input) error {
	return New("").Read(ctx, path, in)
}

// KVUpdated returns the KV v2 metadata updated_time (when the current
// version was written) of the secret with resource id id
// (vault:CLUSTER:path:<mount>/data/<path>; the …/metadata/… id is accepted
// too), as read by this Reader. A link that declares a credential
// stored_in that path uses it as the credential's last_rotated_at.
func (r *Reader) KVUpdated(id string) (time.Time, bool) {
	if t, ok := r.kv[id]; ok {
		return t, true
	}
	if a, b, ok := strings.Cut(id, "/metadata/"); ok {
		t, ok := r.kv[a+"/data/"+b]
		return t, ok
	}
	return time.Time{}, false
}

// Read reads one export directory (docs/ingest-vault.md "Exporting").
func (r *Reader) Read(ctx context.Context, path string, in *ingest.Input) error {
	exp := &Export{Mounts: map[string]string{}, Issuers: map[string]string{}, SecretIDs: map[string][]SecretID{}}
	rd := &dirReader{in: in, root: path, exp: exp}
	cfg, ok, err := rd.config(r.config)
	if err != nil || !ok {
		return err
	}
	exp.Config = cfg
	files, err := exportFiles(path)
	if err != nil {
		return err
	}
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := rd.file(rel); err != nil {
			return err
		}
	}
	if rd.first == nil {
		in.NoHeader(path, "no Vault export in the directory: expected sys/policy/, sys/auth.json, auth/<mount>/role/ or <mount>/metadata/ files (docs/ingest-vault.md)")
		return nil
	}
	rd.resolveMounts()
	exp.ServiceAccounts = func(prefix string) []string { return in.Declared(schema.KindIdentity, prefix) }
	rd.first.Header([]ingest.Field{str("format", schema.FormatV1), str("source", "vault:"+cfg.cluster())}, 0)
	res := Transform(exp)
	for k, v := range res.KVUpdated {
		r.kv[k] = v
	}
	emit(rd.first, res)
	return nil
}

// exportFiles lists the regular files below root, relative with "/", in
// lexical order.
func exportFiles(root string) ([]string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, errors.New("a Vault export is a directory (sys/policy/…, auth/…); see docs/ingest-vault.md")
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err == nil {
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	return out, err
}

// IsExport reports whether dir looks like a Vault export: it has a
// sys/policy (or sys/policies/acl) directory or a sys/auth.json file.
func IsExport(dir string) bool {
	for _, p := range []string{"sys/policy", "sys/policies/acl", "sys/auth.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			return true
		}
	}
	return false
}

// readAll reads an opened file up to the cap; ok is false (and the
// problem reported) when it is larger.
func readAll(f *ingest.File) ([]byte, bool, error) {
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(data) > maxFileBytes {
		f.Problemf(0, "", "file larger than %d MiB: not what vault read prints", maxFileBytes>>20)
		return nil, false, nil
	}
	return data, true, nil
}

func str(name, v string) ingest.Field {
	return ingest.Field{Name: name, Value: ingest.Value{Kind: ingest.String, Text: v}}
}
