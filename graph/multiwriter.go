package graph

// multiWriter hands every record to each of its writers in turn.
type multiWriter []Writer

// MultiWriter returns a Writer that writes every record to each of ws, in
// order, stopping at the first error (like io.MultiWriter).
func MultiWriter(ws ...Writer) Writer { return multiWriter(ws) }

func each(ws multiWriter, put func(Writer) error) error {
	for _, w := range ws {
		if err := put(w); err != nil {
			return err
		}
	}
	return nil
}

func (m multiWriter) PutSystem(r System) error {
	return each(m, func(w Writer) error { return w.PutSystem(r) })
}

func (m multiWriter) PutResource(r Resource) error {
	return each(m, func(w Writer) error { return w.PutResource(r) })
}

func (m multiWriter) PutIdentity(r Identity) error {
	return each(m, func(w Writer) error { return w.PutIdentity(r) })
}

func (m multiWriter) PutGroup(r Group) error {
	return each(m, func(w Writer) error { return w.PutGroup(r) })
}

func (m multiWriter) PutMembership(r Membership) error {
	return each(m, func(w Writer) error { return w.PutMembership(r) })
}

func (m multiWriter) PutGrant(r Grant) error {
	return each(m, func(w Writer) error { return w.PutGrant(r) })
}

func (m multiWriter) PutCredential(r Credential) error {
	return each(m, func(w Writer) error { return w.PutCredential(r) })
}

func (m multiWriter) PutDelegation(r Delegation) error {
	return each(m, func(w Writer) error { return w.PutDelegation(r) })
}
