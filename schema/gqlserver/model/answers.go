package model

import (
	"time"

	"github.com/reachgraph/reachgraph/analysis"
)

// AccessResult is an answer of whoCan or reach. The accesses are kept as the
// engine returned them and converted one page at a time (accesses(first,
// after)); Complete is false when the request's budget cut the answer.
type AccessResult struct {
	Scope    Scope
	Snapshot *Snapshot
	AsOf     time.Time
	All      []analysis.Access
	Complete bool
}

// NativeAccessResult is an answer of whoCanNative, kept like AccessResult.
type NativeAccessResult struct {
	Scope    Scope
	Snapshot *Snapshot
	AsOf     time.Time
	All      []analysis.Access
	Complete bool
}
