package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// composeFile is the part of docker-compose.yml the checks read.
type composeFile struct {
	Services map[string]struct {
		Image string `yaml:"image"`
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		Command []string `yaml:"command"`
		Volumes []string `yaml:"volumes"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// checkInvocation fails unless args are a valid reachgraph command line:
// an existing subcommand and flags it has.
func checkInvocation(t *testing.T, where string, args []string) {
	t.Helper()
	root := NewRoot(Env{})
	cmd, rest, err := root.Find(args)
	require.NoError(t, err, "%s: %v", where, args)
	require.NotEqual(t, root, cmd, "%s: %v names no subcommand", where, args)
	for _, a := range rest {
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		f := cmd.Flags().Lookup(name)
		if f == nil {
			f = root.PersistentFlags().Lookup(name)
		}
		require.NotNil(t, f, "%s: %s has no flag --%s", where, cmd.CommandPath(), name)
	}
}

// TestComposeMatchesRepository: docker-compose.yml and the Dockerfile are
// consistent with the repository (no Docker engine runs here, so this is
// how they are checked): build contexts and Dockerfiles exist, every image
// the file uses is built by it or pulled by name, bind mounts exist, named
// volumes are declared, and every reachgraph command line is valid.
func TestComposeMatchesRepository(t *testing.T) {
	root := filepath.Join("..", "..")
	b, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(b, &c))
	require.NotEmpty(t, c.Services)
	built := map[string]bool{}
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		ctx := filepath.Join(root, s.Build.Context)
		require.DirExists(t, ctx, "service %s: build context", name)
		df := s.Build.Dockerfile
		if df == "" {
			df = "Dockerfile"
		}
		require.FileExists(t, filepath.Join(ctx, df), "service %s: dockerfile", name)
		built[s.Image] = true
	}
	for name, s := range c.Services {
		if strings.HasPrefix(s.Image, "reachgraph") {
			require.True(t, built[s.Image], "service %s uses image %s that no service builds", name, s.Image)
			if len(s.Command) > 0 {
				checkInvocation(t, "docker-compose service "+name, s.Command)
			}
		}
		for _, v := range s.Volumes {
			src, _, ok := strings.Cut(v, ":")
			require.True(t, ok, "service %s: volume %q", name, v)
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				_, err := os.Stat(filepath.Join(root, src))
				require.NoError(t, err, "service %s: bind mount %s", name, src)
				continue
			}
			_, declared := c.Volumes[src]
			require.True(t, declared, "service %s: named volume %s is not declared", name, src)
		}
	}
	df, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	require.Regexp(t, `go build(?:[^\n]|\\\n)*\./cmd/reachgraph`, string(df), "the Dockerfile builds the command")
	m := regexp.MustCompile(`(?m)^CMD (\[.*\])$`).FindSubmatch(df)
	require.NotNil(t, m, "the Dockerfile has a CMD")
	var cmd []string
	require.NoError(t, json.Unmarshal(m[1], &cmd))
	checkInvocation(t, "Dockerfile CMD", cmd)
	require.Contains(t, string(df), "cmd/cli.version=", "the image is stamped with its version")
}
