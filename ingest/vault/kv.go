package vault

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// secretValueMsg explains why a KV v2 data read is refused.
const secretValueMsg = "this is a KV v2 data read and holds secret values: it was not kept; export the metadata (vault kv metadata get -format=json, or vault read <mount>/metadata/<path>) only"

// parseKVMetadata decodes the KV v2 metadata read at rel ("<mount>/metadata/<path>.json"
// relative to the export root). A data read (data.data) is a problem, and
// its bytes are not kept.
func parseKVMetadata(rel string, data []byte) (KVSecret, *EnvelopeProblem) {
	segs := strings.Split(strings.TrimSuffix(rel, ".json"), "/")
	i := metadataAt(segs)
	var md kvMetadata
	if p := decodeEnvelope(data, &md); p != nil {
		return KVSecret{}, p
	}
	if md.Data {
		line := 0
		if first := bytes.Index(data, []byte(`"data"`)); first >= 0 {
			if second := bytes.Index(data[first+1:], []byte(`"data"`)); second >= 0 {
				line = lineAt(data, int64(first+1+second))
			}
		}
		return KVSecret{}, &EnvelopeProblem{Line: line, Pointer: "/data/data", Msg: secretValueMsg}
	}
	s := KVSecret{Mount: strings.Join(segs[:i], "/"), Path: strings.Join(segs[i+1:], "/"),
		Created: time.Time(md.CreatedTime), Updated: time.Time(md.UpdatedTime), Owner: md.CustomMetadata["owner"]}
	if v, ok := md.Versions[fmt.Sprint(md.CurrentVersion)]; ok {
		s.Deleted = v.Destroyed || !time.Time(v.DeletionTime).IsZero()
		if !time.Time(v.CreatedTime).IsZero() {
			s.Updated = time.Time(v.CreatedTime)
		}
	}
	return s, nil
}

// KVUpdatedTimes reads the KV v2 metadata of the export directory dir
// outside an ingest, with configuration file config ("" for vault.yaml in
// dir, when there is one), and maps each secret's resource id
// (vault:CLUSTER:path:<mount>/data/<path>) to its updated_time. It is for a
// link layer that dates a credential stored_in a Vault path after the
// export was ingested; during an ingest use Reader.KVUpdated. The first
// problem (invalid JSON, a data read, a bad configuration) is returned as
// an error naming the file.
func KVUpdatedTimes(dir, config string) (map[string]time.Time, error) {
	cfg, err := configFile(dir, config)
	if err != nil {
		return nil, err
	}
	files, err := exportFiles(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, rel := range files {
		segs := strings.Split(rel, "/")
		if segs[0] == "sys" || segs[0] == "auth" || kvDataFile(segs) || metadataAt(segs) < 0 || !strings.HasSuffix(rel, ".json") {
			continue
		}
		data, err := readCapped(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		s, p := parseKVMetadata(rel, data)
		if p != nil {
			return nil, fmt.Errorf("%s:%d: %s: %s", filepath.Join(dir, rel), p.Line, p.Pointer, p.Msg)
		}
		out["vault:"+cfg.cluster()+":path:"+s.DataPath()] = s.Updated
	}
	return out, nil
}

// configFile parses config, or dir/vault.yaml when config is "" (nil
// when neither exists).
func configFile(dir, config string) (*Config, error) {
	name := config
	if name == "" {
		name = filepath.Join(dir, ConfigName)
		if !fileExists(name) {
			return nil, nil
		}
	}
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	cfg, probs, err := ParseConfig(fh)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("%s:%d: %s", name, probs[0].Line, probs[0].Msg)
	}
	return cfg, nil
}

func readCapped(name string) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%s: file larger than %d MiB", name, maxFileBytes>>20)
	}
	return data, nil
}
