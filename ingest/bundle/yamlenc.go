package bundle

import (
	"bytes"
	"unicode/utf8"
)

// encodingCheck follows the bytes the YAML decoder reads and keeps the line
// of the first byte the YAML library refuses without saying where: invalid
// UTF-8 or a character YAML does not allow (C0 controls but tab, newline and
// carriage return; DEL; C1 controls but NEL; U+FFFE and U+FFFF).
type encodingCheck struct {
	line    int // line of the next byte, 1-based
	bad     int // line of the first bad byte, 0 for none
	off     bool
	started bool
	pending []byte // an incomplete UTF-8 sequence at the end of the last read
}

// feed checks p, the next bytes of the input.
func (e *encodingCheck) feed(p []byte) {
	if e.off || e.bad > 0 || len(p) == 0 {
		return
	}
	if !e.started {
		e.started, e.line = true, 1
		// UTF-16 input (with its byte order mark) is decoded by the YAML
		// library itself; this check is for UTF-8.
		if bytes.HasPrefix(p, []byte{0xff, 0xfe}) || bytes.HasPrefix(p, []byte{0xfe, 0xff}) {
			e.off = true
			return
		}
	}
	if len(e.pending) > 0 {
		p = append(e.pending, p...)
		e.pending = nil
	}
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
				e.line++
			case c < 0x20 && c != '\t' && c != '\r', c == 0x7f:
				e.bad = e.line
				return
			}
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			e.pending = append([]byte(nil), p[i:]...)
			return
		}
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 || r >= 0x80 && r <= 0x9f && r != 0x85 || r == 0xfffe || r == 0xffff {
			e.bad = e.line
			return
		}
		i += n
	}
}

// finish reports an incomplete UTF-8 sequence at the end of the input.
func (e *encodingCheck) finish() {
	if !e.off && e.bad == 0 && len(e.pending) > 0 {
		e.bad = e.line
	}
}
