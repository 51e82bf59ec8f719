package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis/rules"
)

// OSCALVersion is the OSCAL version the assessment-results export declares
// and is validated against.
const OSCALVersion = "1.1.1"

// oscalNS is the namespace of reachgraph's own OSCAL properties.
const oscalNS = "https://github.com/reachgraph/reachgraph/ns/oscal"

type oscalDoc struct {
	AR oscalAR `json:"assessment-results"`
}

type oscalAR struct {
	UUID       string           `json:"uuid"`
	Metadata   oscalMetadata    `json:"metadata"`
	ImportAP   oscalImportAP    `json:"import-ap"`
	Results    []oscalResult    `json:"results"`
	BackMatter *oscalBackMatter `json:"back-matter,omitempty"`
}

type oscalMetadata struct {
	Title        string      `json:"title"`
	LastModified string      `json:"last-modified"`
	Version      string      `json:"version"`
	OSCALVersion string      `json:"oscal-version"`
	Props        []oscalProp `json:"props,omitempty"`
}

type oscalImportAP struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalProp struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
}

type oscalResult struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	Start            string             `json:"start"`
	End              string             `json:"end"`
	Props            []oscalProp        `json:"props,omitempty"`
	ReviewedControls oscalReviewed      `json:"reviewed-controls"`
	Observations     []oscalObservation `json:"observations,omitempty"`
	Findings         []oscalFinding     `json:"findings,omitempty"`
}

type oscalReviewed struct {
	ControlSelections []oscalSelection `json:"control-selections"`
}

type oscalSelection struct {
	Description string   `json:"description,omitempty"`
	IncludeAll  struct{} `json:"include-all"`
}

type oscalObservation struct {
	UUID        string      `json:"uuid"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props,omitempty"`
	Methods     []string    `json:"methods"`
	Types       []string    `json:"types,omitempty"`
	Collected   string      `json:"collected"`
	Remarks     string      `json:"remarks,omitempty"`
}

type oscalFinding struct {
	UUID                string         `json:"uuid"`
	Title               string         `json:"title"`
	Description         string         `json:"description"`
	Props               []oscalProp    `json:"props,omitempty"`
	Target              oscalTarget    `json:"target"`
	RelatedObservations []oscalRelated `json:"related-observations"`
	Remarks             string         `json:"remarks,omitempty"`
}

type oscalTarget struct {
	Type     string      `json:"type"`
	TargetID string      `json:"target-id"`
	Title    string      `json:"title,omitempty"`
	Status   oscalStatus `json:"status"`
}

type oscalStatus struct {
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

type oscalRelated struct {
	ObservationUUID string `json:"observation-uuid"`
}

type oscalBackMatter struct {
	Resources []oscalResource `json:"resources"`
}

type oscalResource struct {
	UUID   string       `json:"uuid"`
	Title  string       `json:"title"`
	RLinks []oscalRLink `json:"rlinks"`
}

type oscalRLink struct {
	Href   string      `json:"href"`
	Hashes []oscalHash `json:"hashes"`
}

type oscalHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// oscalUUID derives a deterministic version-5-shaped UUID from parts, so
// the same report gives the same document and a finding keeps its UUID
// as long as it keeps its id.
func oscalUUID(parts ...string) string {
	h := sha256.Sum256([]byte("reachgraph-oscal\x00" + strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

var notToken = regexp.MustCompile(`[^\p{L}\p{N}._-]`)

// oscalToken makes s an OSCAL token (NCName): letters, digits, . - _, not
// starting with a digit or punctuation.
func oscalToken(s string) string {
	t := notToken.ReplaceAllString(s, "_")
	if t == "" || !regexp.MustCompile(`^[\p{L}_]`).MatchString(t) {
		t = "_" + t
	}
	return t
}

// oneLine makes s a non-empty OSCAL string: one line, no outer blanks.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	return s
}

// OSCAL writes the report as an OSCAL assessment-results document (JSON):
// one result for the snapshot; per finding an observation (the evidence:
// paths with native permissions, authentication, fix) and a finding whose
// target is the rule as a not-satisfied objective; the input files with
// their SHA-256 as back-matter resources; provenance as metadata props.
func (r *Report) OSCAL(w io.Writer) error {
	at := r.AsOf.UTC().Format(time.RFC3339)
	doc := oscalDoc{AR: oscalAR{UUID: oscalUUID("ar", r.Snapshot, at),
		Metadata: oscalMetadata{Title: "reachgraph findings for snapshot " + r.Snapshot, LastModified: at,
			Version: r.Snapshot, OSCALVersion: OSCALVersion},
		ImportAP: oscalImportAP{Href: "#" + oscalUUID("ap", r.Snapshot),
			Remarks: "No separate assessment plan: the plan is reachgraph's ruleset, identified by its SHA-256 in the metadata."}}}
	res := oscalResult{UUID: oscalUUID("result", r.Snapshot, at), Title: "Access-path assessment of snapshot " + r.Snapshot,
		Description: fmt.Sprintf("%d open findings (%d suppressed) from the reachgraph ruleset.", r.Summary.Total, r.Summary.Suppressed),
		Start:       at, End: at}
	res.ReviewedControls.ControlSelections = []oscalSelection{{Description: "Every control the ruleset's rules reference."}}
	if p := r.Provenance; p != nil {
		doc.AR.Metadata.Props = []oscalProp{{Name: "tool", NS: oscalNS, Value: oneLine(p.Tool + " " + p.Version)},
			{Name: "ruleset-sha256", NS: oscalNS, Value: p.RulesetSHA256}, {Name: "snapshot", NS: oscalNS, Value: p.Snapshot},
			{Name: "source", NS: oscalNS, Value: oneLine(p.Source)}}
		doc.AR.BackMatter = oscalInputs(p)
	}
	if r.spool != nil && r.spool.Len() > 0 {
		return r.oscalStream(w, doc, res, at)
	}
	for i := range r.Findings {
		obs, fd := oscalFindingOf(&r.Findings[i], at)
		res.Observations = append(res.Observations, obs)
		res.Findings = append(res.Findings, fd)
	}
	doc.AR.Results = []oscalResult{res}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// Sentinel uuids marking where oscalStream puts the streamed elements.
const (
	oscalObsMark = "@@reachgraph-observations@@"
	oscalFdMark  = "@@reachgraph-findings@@"
)

// oscalStream writes the document of a spooled report with its
// observations and findings streamed (one pass over the spool each): the
// document is encoded with one marker element in each array, and each
// marker is replaced by the elements, indented as the encoder indents them.
func (r *Report) oscalStream(w io.Writer, doc oscalDoc, res oscalResult, at string) error {
	res.Observations = []oscalObservation{{UUID: oscalObsMark}}
	res.Findings = []oscalFinding{{UUID: oscalFdMark}}
	doc.AR.Results = []oscalResult{res}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	text := head.Bytes()
	// element returns where the marker's element starts (its "{") and
	// ends (after its "}"), and the indentation of its lines.
	element := func(mark string) (start, end int, prefix string, err error) {
		m := bytes.Index(text, []byte(`"uuid": "`+mark+`"`))
		open := bytes.LastIndexByte(text[:max(m, 0)], '{')
		line := bytes.LastIndexByte(text[:max(open, 0)], '\n') + 1
		if m < 0 || open < 0 {
			return 0, 0, "", fmt.Errorf("report: unexpected OSCAL layout")
		}
		prefix = string(text[line:open])
		closing := bytes.Index(text[open:], []byte("\n"+prefix+"}"))
		if closing < 0 {
			return 0, 0, "", fmt.Errorf("report: unexpected OSCAL layout")
		}
		return open, open + closing + len(prefix) + 2, prefix, nil
	}
	obsStart, obsEnd, obsPrefix, err := element(oscalObsMark)
	if err != nil {
		return err
	}
	fdStart, fdEnd, fdPrefix, err := element(oscalFdMark)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf bytes.Buffer
	var ind []byte
	elements := func(prefix string, pick func(obs oscalObservation, fd oscalFinding) any) error {
		first := true
		return r.each(func(f *rules.Finding) error {
			obs, fd := oscalFindingOf(f, at)
			buf.Reset()
			e := json.NewEncoder(&buf)
			e.SetEscapeHTML(false)
			if err := e.Encode(pick(obs, fd)); err != nil {
				return err
			}
			ind = appendIndent(ind[:0], bytes.TrimSuffix(buf.Bytes(), []byte("\n")), prefix, "  ")
			if !first {
				bw.WriteString(",\n" + prefix)
			}
			first = false
			_, err := bw.Write(ind)
			return err
		})
	}
	bw.Write(text[:obsStart])
	if err := elements(obsPrefix, func(o oscalObservation, _ oscalFinding) any { return o }); err != nil {
		return err
	}
	bw.Write(text[obsEnd:fdStart])
	if err := elements(fdPrefix, func(_ oscalObservation, f oscalFinding) any { return f }); err != nil {
		return err
	}
	bw.Write(text[fdEnd:])
	return bw.Flush()
}

// oscalInputs lists the input files with their SHA-256; nil when none.
func oscalInputs(p *Provenance) *oscalBackMatter {
	if len(p.Files) == 0 {
		return nil
	}
	bm := &oscalBackMatter{}
	for _, f := range p.Files {
		bm.Resources = append(bm.Resources, oscalResource{UUID: oscalUUID("input", f.Name, f.SHA256), Title: oneLine("input " + f.Name),
			RLinks: []oscalRLink{{Href: url.PathEscape(f.Name), Hashes: []oscalHash{{Algorithm: "SHA-256", Value: f.SHA256}}}}})
	}
	return bm
}

// oscalFindingOf maps one finding to an observation and a finding.
func oscalFindingOf(f *rules.Finding, at string) (oscalObservation, oscalFinding) {
	props := []oscalProp{{Name: "finding-id", NS: oscalNS, Value: f.ID}, {Name: "severity", NS: oscalNS, Value: string(f.Severity)},
		{Name: "category", NS: oscalNS, Value: string(f.Category)}, {Name: "identity", NS: oscalNS, Value: oneLine(f.Identity)},
		{Name: "access", NS: oscalNS, Value: map[bool]string{true: "effective", false: "latent"}[f.Effective]}}
	if f.Resource != "" {
		props = append(props, oscalProp{Name: "resource", NS: oscalNS, Value: oneLine(f.Resource)},
			oscalProp{Name: "action", NS: oscalNS, Value: string(f.Action)})
	}
	for _, fw := range f.Frameworks {
		props = append(props, oscalProp{Name: "framework", NS: oscalNS, Value: oneLine(fw)})
	}
	var ev []string
	for _, p := range f.Paths {
		ev = append(ev, "path: "+FormatPath(p))
	}
	if f.Authentication != nil {
		ev = append(ev, "authentication: "+FormatAuth(f.Authentication))
	}
	if f.Fix != nil {
		ev = append(ev, "fix: "+FormatFix(f.Fix))
	}
	obs := oscalObservation{UUID: oscalUUID("observation", f.ID), Title: oneLine(f.Title), Description: oneLine(f.Message),
		Props: props, Methods: []string{"TEST"}, Types: []string{"finding"}, Collected: at}
	if len(ev) > 0 {
		obs.Remarks = strings.Join(ev, "\n\n")
	}
	fd := oscalFinding{UUID: oscalUUID("finding", f.ID), Title: oneLine(f.Title), Description: oneLine(f.Message),
		Props:               []oscalProp{{Name: "finding-id", NS: oscalNS, Value: f.ID}},
		Target:              oscalTarget{Type: "objective-id", TargetID: oscalToken(f.Rule), Title: oneLine(f.Rule), Status: oscalStatus{State: "not-satisfied", Reason: "fail"}},
		RelatedObservations: []oscalRelated{{ObservationUUID: obs.UUID}}}
	if s := f.Suppressed; s != nil {
		fd.Remarks = fmt.Sprintf("Risk accepted by %s until %s: %s", s.Owner, s.Expires.UTC().Format("2006-01-02"), s.Reason)
	}
	return obs, fd
}
