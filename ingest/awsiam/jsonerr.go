package awsiam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// jsonProblem turns an encoding/json error about data into a line and a
// message in JSON terms ("UserDetailList.Tags: expected a list, got a
// string"), without Go type names.
func jsonProblem(data []byte, err error) (line int, msg string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return lineAt(data, se.Offset), se.Error()
	case errors.As(err, &te):
		return lineAt(data, te.Offset), typeMsg(te)
	}
	return 0, err.Error()
}

// unmarshal is json.Unmarshal with type errors in JSON terms.
func unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return errors.New(typeMsg(te))
	}
	return err
}

func typeMsg(te *json.UnmarshalTypeError) string {
	msg := fmt.Sprintf("expected %s, got %s", jsonKind(te.Type), withArticle(te.Value))
	if te.Field != "" {
		msg = te.Field + ": " + msg
	}
	return msg
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// jsonKind names what JSON value a Go type takes.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Name() == "RawMessage" {
			return "a JSON value"
		}
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Interface:
		return "a JSON value"
	}
	return "a number"
}

// withArticle names a JSON value kind as encoding/json reports it.
func withArticle(v string) string {
	switch v {
	case "object":
		return "an object"
	case "array":
		return "a list"
	case "number", "string", "bool":
		return "a " + v
	}
	if len(v) > 0 && (v[0] == 'n' || v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
		return "the number " + v
	}
	return v
}
