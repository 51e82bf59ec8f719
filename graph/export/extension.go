package export

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/reachgraph/reachgraph/schema"
)

// ExtensionVersion is the version of the extension definition schema
// WriteOpenGraphExtension writes; it changes when the vocabulary does.
const ExtensionVersion = "v1.0.0"

type extension struct {
	Schema            extSchema         `json:"schema"`
	NodeKinds         []extNodeKind     `json:"node_kinds"`
	RelationshipKinds []extRelationship `json:"relationship_kinds"`
	Environments      []extEnvironment  `json:"environments"`
	Findings          []json.RawMessage `json:"relationship_findings"`
}

type extSchema struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Version     string `json:"version"`
	Namespace   string `json:"namespace"`
}

type extNodeKind struct {
	Name          string `json:"name"`
	DisplayName   string `json:"display_name"`
	Description   string `json:"description"`
	IsDisplayKind bool   `json:"is_display_kind"`
	Icon          string `json:"icon"`
	Color         string `json:"color"`
}

type extRelationship struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	IsTraversable bool   `json:"is_traversable"`
}

type extEnvironment struct {
	EnvironmentKind string   `json:"environment_kind"`
	SourceKind      string   `json:"source_kind"`
	PrincipalKinds  []string `json:"principal_kinds"`
}

// WriteOpenGraphExtension writes reachgraph's BloodHound extension definition
// schema (namespace RG): every node kind with its icon and every edge kind
// with is_traversable, so BloodHound's pathfinding follows memberships,
// grants and delegations but not containment or credential bookkeeping
// (schema.OpenGraphEdgeKinds). Systems are the environments, identities and
// groups the principals. The output does not depend on any snapshot.
func WriteOpenGraphExtension(w io.Writer) error {
	ext := extension{
		Schema: extSchema{Name: "reachgraph", DisplayName: "reachgraph (finance access reach)", Version: ExtensionVersion, Namespace: schema.OpenGraphNamespace},
		Environments: []extEnvironment{{EnvironmentKind: schema.OGSystem, SourceKind: schema.OpenGraphSourceKind,
			PrincipalKinds: []string{schema.OGIdentity, schema.OGGroup}}},
		Findings: []json.RawMessage{},
	}
	for _, k := range schema.OpenGraphNodeKinds {
		ext.NodeKinds = append(ext.NodeKinds, extNodeKind{Name: k.Name, DisplayName: k.DisplayName, Description: k.Description,
			IsDisplayKind: true, Icon: k.Icon, Color: k.Color})
	}
	for _, k := range schema.OpenGraphEdgeKinds {
		ext.RelationshipKinds = append(ext.RelationshipKinds, extRelationship{Name: k.Name, Description: k.Description, IsTraversable: k.Traversable})
	}
	b, err := json.MarshalIndent(ext, "", "  ")
	if err != nil {
		return fmt.Errorf("export extension: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("export extension: %w", err)
	}
	return nil
}
