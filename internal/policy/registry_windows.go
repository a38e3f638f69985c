//go:build windows

package policy

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/windows/registry"
)

// systemRegistry reads HKEY_LOCAL_MACHINE through the 64-bit view, where Group Policy and a
// 64-bit MSI write, whatever the process's own width.
func systemRegistry() RegistryReader { return windowsRegistry{} }

type windowsRegistry struct{}

func (windowsRegistry) Values(path string) (map[string]any, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	}
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, err
	}
	values := make(map[string]any, len(names))
	for _, name := range names {
		v, err := readValue(k, name)
		if errors.Is(err, registry.ErrNotExist) {
			continue // deleted between listing and reading
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		values[name] = v
	}
	return values, nil
}

// readValue reads one value in the form RegistryReader documents.
func readValue(k registry.Key, name string) (any, error) {
	size, typ, err := k.GetValue(name, nil)
	if err != nil {
		return nil, err
	}
	switch typ {
	case registry.SZ, registry.EXPAND_SZ:
		s, _, err := k.GetStringValue(name)
		return s, err
	case registry.DWORD, registry.QWORD:
		n, _, err := k.GetIntegerValue(name)
		return n, err
	case registry.MULTI_SZ:
		list, _, err := k.GetStringsValue(name)
		return list, err
	}
	buf := make([]byte, size)
	n, _, err := k.GetValue(name, buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}
