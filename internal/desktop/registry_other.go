//go:build !windows

package desktop

import (
	"errors"
	"fmt"
)

// UserRunKey is HKEY_CURRENT_USER's Run key on Windows; elsewhere every call fails.
func UserRunKey() RegistryKey { return noRegistry{} }

type noRegistry struct{}

var errNoRegistry = fmt.Errorf("desktop: no Windows registry on this system: %w", errors.ErrUnsupported)

func (noRegistry) Get(string) (string, error)     { return "", errNoRegistry }
func (noRegistry) SetString(string, string) error { return errNoRegistry }
func (noRegistry) Delete(string) error            { return errNoRegistry }
