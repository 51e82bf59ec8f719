package ingest

// Kind is the syntactic kind of a raw input value, as the reader saw it.
type Kind uint8

// Value kinds. Text is an untyped cell (CSV): the validator interprets it by the
// field's type — "true"/"false" for booleans, a decimal for integers,
// ";"-separated items for lists, ";"-separated key=value pairs for maps.
const (
	Null   Kind = iota // JSON null, YAML null or ~: the field is unset
	String             // a quoted or plain string
	Number             // a JSON or YAML number, Text holds it as written
	Bool               // a JSON or YAML boolean, Text is "true" or "false"
	List               // a JSON array or YAML sequence, see Value.Items
	Map                // a JSON object or YAML mapping, see Value.Fields
	Text               // an untyped text cell (CSV)
)

// String names the kind the way problem messages do ("a string", "a list" …).
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case String:
		return "a string"
	case Number:
		return "a number"
	case Bool:
		return "a boolean"
	case List:
		return "a list"
	case Map:
		return "an object"
	case Text:
		return "text"
	}
	return "an unknown value"
}

// Value is one raw input value. Readers build it; the validator interprets it
// against a schema.Field. Nested containers deeper than the schema needs may be
// left empty (only their Kind matters then). Strings may share memory with a
// reader's buffers provided those bytes are never modified; ingest copies the
// strings it keeps beyond Add (ids, pending references, the source label).
type Value struct {
	Kind   Kind
	Text   string  // the scalar as written, for String, Number, Bool and Text
	Items  []Value // the items of a List
	Fields []Field // the entries of a Map, in input order
	Line   int     // the value's line (YAML); 0 when the input has no useful lines
}

// Field is one key and its value, in a record or a Map.
type Field struct {
	Name  string
	Value Value
	Line  int // the key's line (YAML, CSV); 0: use the record's position
}

// Record is one raw element of a bundle section, for example one grant.
//
// Its position is Line when the input has lines (YAML, CSV), else a JSON
// pointer: Pointer when set (ingesters that map foreign documents point into
// them, e.g. "/UserDetailList/3"), otherwise "/<Section>/<Index>". Field
// problems extend the pointer with the field name ("/grants/12/action").
type Record struct {
	Section string // a schema.Sections name such as "grants"
	Fields  []Field
	Line    int
	Index   int
	Pointer string
}
