package ingest

// SpillEverything returns opts with every record chunk of the load on disk:
// a zero budget and chunks so small that each holds one record.
func SpillEverything(opts Options) Options {
	opts.spillAt, opts.chunk = -1, 1
	return opts
}
