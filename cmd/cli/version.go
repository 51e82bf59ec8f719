package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at link time by the Makefile, the Dockerfile and the release
// configuration (-ldflags "-X …/cmd/cli.version=… -X …/cmd/cli.commit=…");
// empty values fall back to the Go build info.
var (
	version string
	commit  string
)

// BuildInfo is what `reachgraph version` prints.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// Build returns the build information of the running binary: the version
// and commit set at link time, else the module version and VCS revision Go
// recorded ("(devel)" and "unknown" when it recorded none).
func Build() BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

// String is the one-line form of --version.
func (b BuildInfo) String() string {
	mod := ""
	if b.Modified {
		mod = " (modified)"
	}
	return fmt.Sprintf("reachgraph %s commit %s%s %s %s", b.Version, b.Commit, mod, b.GoVersion, b.Platform)
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go version and platform of this binary",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b := Build()
			if err := g.checkOutput(); err != nil {
				return err
			}
			if ok, err := g.structured(b); ok {
				return err
			}
			if g.output == "csv" {
				return usagef("--output csv: version prints table, json or yaml")
			}
			_, err := fmt.Fprintln(g.env.Stdout, b)
			return err
		},
	}
}
