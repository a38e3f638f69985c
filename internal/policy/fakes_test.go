package policy

import "io/fs"

// fakeRegistry holds keys by path; a path it lacks does not exist.
type fakeRegistry struct {
	keys map[string]map[string]any
	err  error
}

func (r fakeRegistry) Values(path string) (map[string]any, error) {
	if r.err != nil {
		return nil, r.err
	}
	values, ok := r.keys[path]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return values, nil
}

func registryWith(values map[string]any) fakeRegistry {
	return fakeRegistry{keys: map[string]map[string]any{RegistryPath: values}}
}

// fakeFiles holds files by path; errs makes a path fail to read.
type fakeFiles struct {
	files map[string]string
	errs  map[string]error
}

func (f fakeFiles) ReadFile(path string) ([]byte, error) {
	if err, ok := f.errs[path]; ok {
		return nil, err
	}
	text, ok := f.files[path]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return []byte(text), nil
}

// plistDict wraps dictionary entries in a complete XML property list.
func plistDict(entries string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
` + entries + `
</dict>
</plist>
`
}
