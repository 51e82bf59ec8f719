package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
)

// WorkbookHeader is the header row of the access-review workbook.
var WorkbookHeader = []string{"snapshot", "as_of", "identity", "name", "type", "status", "vendor", "business_owner",
	"technical_owner", "purpose", "nonhuman_rationale", "effective_critical", "latent_critical", "paths", "credentials",
	"findings", "reviewer_decision", "reviewer_comment"}

// Workbook writes the access-review workbook: one row per non-human identity
// with critical (SOX) reach, effective or latent, with its owners, purpose,
// critical accesses, one path per access with each hop's native permission
// and validity window, credentials (type, age since rotation, rotation
// interval, expiry) and finding ids; two empty columns take the reviewer's
// decision. Suppressed findings are listed with a "suppressed:" prefix.
func Workbook(ctx context.Context, w io.Writer, s rules.Snapshot, rotationDays int, fs []rules.Finding) error {
	asOf := s.Engine.AsOf()
	snap := string(s.Engine.Snapshot().ID)
	byID := map[string][]string{}
	for _, f := range fs {
		id := f.ID + " " + f.Rule
		if f.Suppressed != nil {
			id = "suppressed:" + id
		}
		byID[f.Identity] = append(byID[f.Identity], id)
	}
	cw := NewCSVWriter(w)
	_ = cw.Write(WorkbookHeader)
	ids := slices.Clone(s.Data.IdentityList)
	slices.SortFunc(ids, func(a, b graph.Identity) int { return strings.Compare(a.ID, b.ID) })
	for _, i := range ids {
		if !i.Type.NonHuman() {
			continue
		}
		accs, err := s.Engine.Reach(ctx, reach.ReachQuery{Identity: i.ID, CriticalOnly: true})
		if err != nil {
			return err
		}
		if len(accs) == 0 {
			continue
		}
		var eff, lat, paths []string
		for _, a := range accs {
			if len(a.Paths) > 0 {
				paths = append(paths, string(a.Action)+" "+a.Resource+": "+FormatPath(a.Paths[0]))
			}
			if a.Effective {
				eff = append(eff, string(a.Action)+" "+a.Resource)
			} else {
				lat = append(lat, string(a.Action)+" "+a.Resource)
			}
		}
		creds := credentialEvidence(s, i.ID, asOf, rotationDays)
		f := byID[i.ID]
		slices.Sort(f)
		_ = cw.Write([]string{snap, asOf.Format(time.RFC3339), i.ID, i.Name, string(i.Type), string(i.Status), i.Vendor,
			i.Owners.Business, i.Owners.Technical, i.Purpose, i.NonhumanRationale, strings.Join(eff, "; "),
			strings.Join(lat, "; "), strings.Join(paths, " | "), strings.Join(creds, "; "), strings.Join(f, "; "), "", ""})
	}
	cw.Flush()
	return cw.Error()
}

// credentialEvidence lists an identity's credentials with their rotation
// evidence: "c-1 (password, rotated 40d ago, every 90d, expires never revoked)", sorted.
func credentialEvidence(s rules.Snapshot, identity string, asOf time.Time, rotationDays int) []string {
	var creds []string
	for _, c := range s.Data.CredentialList {
		if c.Identity != identity {
			continue
		}
		rot := c.LastRotatedAt
		if rot.IsZero() {
			rot = c.CreatedAt
		}
		age := "unknown"
		if !rot.IsZero() {
			age = fmt.Sprintf("%dd", int(asOf.Sub(rot)/(24*time.Hour)))
		}
		limit := c.RotationDays
		if limit == 0 {
			limit = rotationDays
		}
		exp := "never"
		if !c.ExpiresAt.IsZero() {
			exp = c.ExpiresAt.UTC().Format("2006-01-02")
		}
		state := ""
		if c.Revoked {
			state = " revoked"
		}
		if c.Vaulted {
			state += " vaulted"
		}
		creds = append(creds, fmt.Sprintf("%s (%s, rotated %s ago, every %dd, expires %s%s)", c.ID, c.Type, age, limit, exp, state))
	}
	slices.Sort(creds)
	return creds
}
