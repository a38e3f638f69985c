//go:build !unix && !windows

package desktop

import (
	"errors"
	"fmt"
)

var errNoLock = fmt.Errorf("desktop: no single-instance lock on this system: %w", errors.ErrUnsupported)

func tryLock(string) (func(), error) { return nil, errNoLock }

func ensurePrivateDir(string) error { return errNoLock }
