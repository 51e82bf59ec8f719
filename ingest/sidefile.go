package ingest

// ParseSideFile reads a file a source names beside its data, such as a
// configuration or a map file: it opens name, parses it with parse and
// closes it. When parse finds problems, report files each one against the
// file, the source is marked as storing nothing, with why reported at source
// (the load then stores nothing), and ok is false. err is for I/O only.
func ParseSideFile[T, P any](in *Input, name, source, why string,
	parse func(*File) (T, []P, error), report func(*File, P)) (v T, ok bool, err error) {
	var zero T
	f, err := in.Open(name)
	if err != nil {
		return zero, false, err
	}
	v, probs, err := parse(f)
	if err != nil {
		return zero, false, err
	}
	if err := f.Close(); err != nil {
		return zero, false, err
	}
	if len(probs) > 0 {
		for _, p := range probs {
			report(f, p)
		}
		in.NoHeader(source, why)
		return zero, false, nil
	}
	return v, true, nil
}
