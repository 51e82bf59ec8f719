package reach

import "fmt"

type unknownError struct{ what, id string }

func (u *unknownError) Error() string { return fmt.Sprintf("%s %q: %v", u.what, u.id, ErrUnknownNode) }
func (u *unknownError) Unwrap() error { return ErrUnknownNode }
