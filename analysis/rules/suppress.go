package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"go.yaml.in/yaml/v3"
)

// Suppression accepts a finding as a known exception until it expires. It
// matches by finding id, or by rule plus optional identity and resource.
type Suppression struct {
	ID       string    `yaml:"id,omitempty" json:"id,omitempty"`
	Rule     string    `yaml:"rule,omitempty" json:"rule,omitempty"`
	Identity string    `yaml:"identity,omitempty" json:"identity,omitempty"`
	Resource string    `yaml:"resource,omitempty" json:"resource,omitempty"`
	Owner    string    `yaml:"owner" json:"owner"`
	Reason   string    `yaml:"reason" json:"reason"`
	Expires  time.Time `yaml:"expires" json:"expires"`
}

type suppressionFile struct {
	Suppressions []Suppression `yaml:"suppressions"`
}

// ParseSuppressions decodes a suppressions file (docs/reports.md) and checks
// that every entry names what it matches, an owner, a reason and an expiry.
func ParseSuppressions(data []byte) ([]Suppression, error) {
	var f suppressionFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("suppressions: %w", err)
	}
	var errs []error
	for i, s := range f.Suppressions {
		where := fmt.Sprintf("suppressions[%d]", i)
		if s.ID == "" && s.Rule == "" {
			errs = append(errs, fmt.Errorf("%s: give a finding id or a rule", where))
		}
		if s.Owner == "" || s.Reason == "" {
			errs = append(errs, fmt.Errorf("%s: owner and reason are required", where))
		}
		if s.Expires.IsZero() {
			errs = append(errs, fmt.Errorf("%s: expires is required (a date such as 2027-03-31)", where))
		}
	}
	return f.Suppressions, errors.Join(errs...)
}

func (s Suppression) matches(f Finding) bool {
	if s.ID != "" {
		return s.ID == f.ID
	}
	return s.Rule == f.Rule && (s.Identity == "" || s.Identity == f.Identity) &&
		(s.Resource == "" || s.Resource == f.Resource)
}

// Suppress marks each finding matched by a suppression that has not expired
// at asOf (an expiry at or before asOf is ignored). The first match wins.
func Suppress(fs []Finding, sups []Suppression, asOf time.Time) {
	for i := range fs {
		for _, s := range sups {
			if !s.Expires.After(asOf) || !s.matches(fs[i]) {
				continue
			}
			s := s
			fs[i].Suppressed = &s
			break
		}
	}
}
