package store

import (
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// guard runs fn with memory faults (a mapped page past the end of a cut file) turned into
// panics, and any panic into an error wrapping ErrCorrupt and the cause. panicked reports
// whether that happened.
func guard(fn func() error) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			err, panicked = panicError(r), true
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return fn(), false
}

func panicError(r any) error {
	return fmt.Errorf("%w: %w", ErrCorrupt, bboltPanic{r})
}

// bboltPanic is a recovered panic, kept apart from damage the checks found by themselves.
type bboltPanic struct{ value any }

func (p bboltPanic) Error() string { return fmt.Sprintf("bbolt panicked: %v", p.value) }

// Unwrap exposes the panic value when it is an error (a runtime.Error for a memory fault).
func (p bboltPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.do(func() error { return s.db.View(fn) })
}

func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.do(func() error { return s.db.Update(fn) })
}

// do runs one transaction under guard. bbolt rolls the transaction back as the panic
// unwinds, so the file lock and the transaction locks are released, but the store is marked
// broken: after a panic its in-memory state is no longer trusted.
func (s *Store) do(op func() error) error {
	if s.broken.Load() {
		return fmt.Errorf("%w: an earlier operation found damage; reopen the store", ErrCorrupt)
	}
	err, panicked := guard(op)
	if panicked {
		s.broken.Store(true)
	}
	return classify(err)
}

// classify keeps this package's errors as they are and names bbolt's.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	case isOwn(err):
		return err
	default:
		return fmt.Errorf("store: %w", err)
	}
}

func isOwn(err error) bool {
	for _, own := range []error{ErrWrongKey, ErrLocked, ErrCorrupt, ErrClosed, ErrInvalidKey, ErrInvalidName} {
		if errors.Is(err, own) {
			return true
		}
	}
	return false
}
