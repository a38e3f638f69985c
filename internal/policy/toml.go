package policy

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
)

// loadTOML reads the policy file of Linux and the other Unix systems. A missing file means no
// policy.
func (s Sources) loadTOML(path string) (Policy, error) {
	if s.Files == nil {
		return Policy{}, errors.New("policy: no file reader")
	}
	data, err := s.Files.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Policy{}, nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("policy %s: %w", path, err)
	}
	return parseTOML(path, data)
}

// parseTOML reads policy text with the keys of config.toml. Every key that is not a managed
// setting is an error naming it, sandbox.ca_file included.
func parseTOML(source string, data []byte) (Policy, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return Policy{Source: source}, fmt.Errorf("policy %s: %w", source, err)
	}
	p := Policy{Source: source}
	var errs []error
	for _, table := range sortedKeys(doc) {
		fields, ok := doc[table].(map[string]any)
		if !ok {
			errs = append(errs, unknownSetting(source, table))
			continue
		}
		for _, name := range sortedKeys(fields) {
			key := table + "." + name
			s, ok := byKey(key)
			if !ok {
				errs = append(errs, unknownSetting(source, key))
				continue
			}
			if err := p.add(s, fields[name], origin{source, key}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return p, errors.Join(errs...)
}
