package policy

import (
	"errors"
	"fmt"
	"io/fs"
)

// fromRegistry reads the policy key. A missing key means no policy.
func fromRegistry(r RegistryReader) (Policy, error) {
	raw, err := r.Values(RegistryPath)
	if errors.Is(err, fs.ErrNotExist) {
		return Policy{}, nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("policy %s: %w", registrySource, err)
	}
	named := make(map[string]any, len(raw))
	for name, v := range raw {
		// The default value (the one with no name) is not a setting; Group Policy never writes it.
		if name != "" {
			named[name] = v
		}
	}
	return fromNamedValues(registrySource, named, true)
}
