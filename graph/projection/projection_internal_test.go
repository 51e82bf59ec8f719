package projection

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestRecordSizes keeps Bytes honest: it counts Grant and Deleg at these sizes.
func TestRecordSizes(t *testing.T) {
	require.Equal(t, uintptr(12), unsafe.Sizeof(Grant{}))
	require.Equal(t, uintptr(20), unsafe.Sizeof(Deleg{}))
	require.Equal(t, uintptr(32), unsafe.Sizeof(Cred{}))
}
