//go:build !windows

package policy

import "errors"

// systemRegistry is a stand-in off Windows, where Load never reads the registry.
func systemRegistry() RegistryReader { return noRegistry{} }

type noRegistry struct{}

func (noRegistry) Values(string) (map[string]any, error) {
	return nil, errors.New("the registry exists only on Windows")
}
