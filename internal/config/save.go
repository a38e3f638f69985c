package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

const fileHeader = "# Rescue Companion settings. Keys are documented with the app; unknown keys are an error.\n\n"

// Save writes c, normalised, to path. The directory is created with mode 0700 and the file
// gets mode 0600.
//
// The write is atomic: the text goes to a temporary file in the same directory, which is
// synced and then renamed over path, so a crash leaves either the old file or the new one,
// never half of each. Save never replaces a file it cannot parse: then it returns an error
// wrapping ErrBrokenFile and leaves the file as it is, so the user's text is never lost.
// Comments in a file Save replaces are not kept.
func Save(path string, c Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := checkReplaceable(path); err != nil {
		return err
	}
	data, err := encode(c.Normalize())
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// checkReplaceable allows replacing path only when it is missing or parses.
func checkReplaceable(path string) error {
	old, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config %s: %w: %w", path, ErrBrokenFile, err)
	}
	if _, err := Parse(old); err != nil {
		return fmt.Errorf("config %s: %w (fix or move it first): %w", path, ErrBrokenFile, err)
	}
	return nil
}

func encode(c Config) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeData writes the new text into the temporary file. Tests replace it to stop a save
// half-way, as a killed process would.
var writeData = func(f *os.File, data []byte) error {
	_, err := f.Write(data)
	return err
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if err = writeData(f, data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable where the platform allows it; it is best effort because
// some systems (Windows) cannot open a directory for syncing.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
