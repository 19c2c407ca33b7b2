// Package storeerr holds the typed errors every storage adapter returns, so that a domain package
// can tell "not found", "key taken" and "conflict" apart without importing the store or a driver,
// and turn each into its own problem with its own message. It holds no message and no rule.
package storeerr

import (
	"errors"
	"fmt"
)

// ErrNotFound means the row asked for does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict means the change clashes with the row's current state (a lost race, a stale
// version, a row in another state than the change expects).
var ErrConflict = errors.New("store: conflict")

// KeyTaken is returned when a unique key is already held by another row. Key names the key
// (the unique index or constraint, without the table's prefix where the store knows it).
type KeyTaken struct {
	Key string
	Err error // the driver's error, for logs
}

func (e *KeyTaken) Error() string {
	if e.Key == "" {
		return "store: key taken"
	}
	return fmt.Sprintf("store: key %s taken", e.Key)
}

// Unwrap returns the driver's error.
func (e *KeyTaken) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrKeyTaken) true for every KeyTaken.
func (e *KeyTaken) Is(target error) bool { return target == ErrKeyTaken }

// ErrKeyTaken matches every *KeyTaken with errors.Is.
var ErrKeyTaken = errors.New("store: key taken")

// IsNotFound reports whether err is or wraps ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsKeyTaken reports whether err is or wraps a KeyTaken, and returns its key.
func IsKeyTaken(err error) (string, bool) {
	var kt *KeyTaken
	if errors.As(err, &kt) {
		return kt.Key, true
	}
	return "", false
}
