package k8srbac

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

// Read is the ingest.ReadFunc of the k8s-rbac format without configuration.
// path is one file of kubectl output (YAML or JSON) or a directory: every
// *.yaml, *.yml and *.json file below it (sub-directories included, in
// name order) is read as one cluster.
func Read(ctx context.Context, path string, in *ingest.Input) error { return read(ctx, path, in, "") }

// NewReader returns the k8s-rbac ingest.ReadFunc that applies the
// configuration file config (ParseConfig; "" for none). The file is read as
// part of every source, so its SHA-256 is in the snapshot's files and its
// problems stop the load like any input's.
//
// One cluster is one source: bindings are resolved against the roles of
// their own source only. The returned function reports a second k8s-rbac
// source of the same load as a problem (all its files belong in one
// directory); use it for one Load only.
func NewReader(config string) ingest.ReadFunc {
	first := ""
	return func(ctx context.Context, path string, in *ingest.Input) error {
		if first != "" {
			in.NoHeader(path, fmt.Sprintf("a second k8s-rbac source in one ingest (the first is %s): one cluster is one source, so put all of its kubectl output files in one directory", first))
			return nil
		}
		first = path
		return read(ctx, path, in, config)
	}
}

func read(ctx context.Context, path string, in *ingest.Input, config string) error {
	cfg, ok, err := readConfig(path, in, config)
	if err != nil || !ok {
		return err
	}
	files, err := inputFiles(path)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		in.NoHeader(path, "no .yaml, .yml or .json file in the directory")
		return nil
	}
	var objs []*Object
	var first *ingest.File
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
		err = Decode(f, f.Name(), func(o *Object) { objs = append(objs, o) }, func(p Problem, stop bool) {
			if stop {
				f.Stop(p.Line, p.Pointer, p.Msg)
				return
			}
			f.Problem(p.Line, p.Pointer, p.Msg)
		})
		if err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	first.Header([]ingest.Field{str("format", schema.FormatV1), str("source", "k8s-rbac:"+cfg.cluster())}, 0)
	emit(first, Transform(objs, cfg))
	return nil
}

// readConfig opens and parses the configuration; ok is false when it has
// problems (reported, with the source marked as having no header).
func readConfig(path string, in *ingest.Input, config string) (*Config, bool, error) {
	if config == "" {
		return nil, true, nil
	}
	return ingest.ParseSideFile(in, config, path, "invalid k8s-rbac configuration",
		func(f *ingest.File) (*Config, []Problem, error) { return ParseConfig(f) },
		func(f *ingest.File, p Problem) {
			if p.Line > 0 {
				p.Pointer = ""
			}
			f.Problem(p.Line, p.Pointer, p.Msg)
		})
}

// inputFiles lists the files of a source: path itself, or the kubectl
// output files below a directory in lexical order.
func inputFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && IsInputName(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// IsInputName reports whether a file name in a directory source is read:
// *.yaml, *.yml or *.json (case-insensitive).
func IsInputName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".json")
}
