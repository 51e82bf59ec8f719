package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
)

// Provenance records what a report was made from, so an auditor can tell
// which tool, rules and inputs produced it.
type Provenance struct {
	// Tool, Version and Commit name the program that wrote the report
	// (passed in by the caller: analysis does not know its own build).
	Tool    string `json:"tool"`
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// RulesetSHA256 is the SHA-256 of the effective ruleset (built-in
	// merged with --rules) as canonical JSON (RulesetDigest).
	RulesetSHA256 string    `json:"ruleset_sha256"`
	Snapshot      string    `json:"snapshot"`
	AsOf          time.Time `json:"as_of"`
	// Source is the snapshot's source label(s); Files its input files with
	// their SHA-256, as recorded at ingest.
	Source      string             `json:"source"`
	CollectedAt time.Time          `json:"collected_at,omitzero"`
	Files       []graph.SourceFile `json:"files"`
}

// NewProvenance fills a Provenance from the snapshot's metadata, the
// instant of analysis, the ruleset and the tool's own name, version and commit.
func NewProvenance(meta graph.SnapshotMeta, asOf time.Time, rs *rules.Ruleset, tool, version, commit string) (Provenance, error) {
	d, err := RulesetDigest(rs)
	if err != nil {
		return Provenance{}, err
	}
	files := meta.Files
	if files == nil {
		files = []graph.SourceFile{}
	}
	return Provenance{Tool: tool, Version: version, Commit: commit, RulesetSHA256: d, Snapshot: string(meta.ID),
		AsOf: asOf.UTC(), Source: meta.Source, CollectedAt: meta.CollectedAt, Files: files}, nil
}

// RulesetDigest is the hex SHA-256 of the ruleset marshalled as JSON
// (struct field order, map keys sorted): the same effective rules give the
// same digest whatever file layout or comments they came from.
func RulesetDigest(rs *rules.Ruleset) (string, error) {
	b, err := json.Marshal(rs)
	if err != nil {
		return "", fmt.Errorf("report: ruleset digest: %w", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// FormatFiles renders input files as "name sha256:HEX; …".
func FormatFiles(fs []graph.SourceFile) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.Name + " sha256:" + f.SHA256
	}
	return strings.Join(s, "; ")
}

// FormatAuth renders authentication evidence on one line: "session in sap
// via credential c-1 (password, expires 2027-01-01, rotated 2026-09-01)" or
// "session in bank via delegation a -> b"; "" for none.
func FormatAuth(a *analysis.Authentication) string {
	if a == nil {
		return ""
	}
	s := "session in " + a.System + " via " + a.Via
	if a.Via == "delegation" && a.Delegation != "" {
		s += " " + a.Delegation
	}
	if a.Credential != "" {
		s += " " + a.Credential
		var d []string
		if a.CredentialType != "" {
			d = append(d, string(a.CredentialType))
		}
		if a.ExpiresAt != nil {
			d = append(d, "expires "+a.ExpiresAt.UTC().Format("2006-01-02"))
		}
		if a.LastRotatedAt != nil {
			d = append(d, "rotated "+a.LastRotatedAt.UTC().Format("2006-01-02"))
		}
		if len(d) > 0 {
			s += " (" + strings.Join(d, ", ") + ")"
		}
	}
	return s
}
