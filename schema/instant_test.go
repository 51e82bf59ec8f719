package schema_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema"
)

func TestParseInstant(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2026-10-31":                time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
		"2026-10-31T12:00:00Z":      time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC),
		"2026-10-31T12:00:00+02:00": time.Date(2026, 10, 31, 10, 0, 0, 0, time.UTC),
		"2026-10-31T12:00:00.5Z":    time.Date(2026, 10, 31, 12, 0, 0, 5e8, time.UTC),
	} {
		got, err := schema.ParseInstant(in)
		require.NoError(t, err, in)
		require.True(t, want.Equal(got), "%s: %v", in, got)
		require.Equal(t, time.UTC, got.Location())
	}
	for _, in := range []string{"yesterday", "2026-13-01", "31/10/2026", ""} {
		_, err := schema.ParseInstant(in)
		var ie *schema.InstantError
		require.ErrorAs(t, err, &ie, in)
		require.Contains(t, err.Error(), "RFC 3339")
	}
}
