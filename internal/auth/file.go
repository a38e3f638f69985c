package auth

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// maxCacheFileBytes is far above any real cache (a few kilobytes per account): a larger file
// is not ours and is not read into memory.
const maxCacheFileBytes = 4 << 20

var errCacheFileTooLarge = errors.New("auth: the token cache file is too large to be ours")

// readSealedFile reads the cache file. A missing file gives an error wrapping fs.ErrNotExist,
// and so does a path through something that is not a directory: there is no file there either.
func readSealedFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCacheFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCacheFileBytes {
		return nil, errCacheFileTooLarge
	}
	return data, nil
}

// openSealed unseals the file's bytes into MSAL's serialized cache, which must at least be a
// JSON object; anything else means the file is not a cache we wrote.
func openSealed(key, sealed []byte) ([]byte, error) {
	plain, err := secrets.Open(key, sealed)
	if err != nil {
		return nil, err
	}
	if !looksLikeJSONObject(plain) {
		return nil, fmt.Errorf("%w: not a token cache", secrets.ErrCorrupt)
	}
	return plain, nil
}

// looksLikeJSONObject checks the first and last non-space bytes; MSAL parses the rest.
func looksLikeJSONObject(b []byte) bool {
	start, end := 0, len(b)
	for start < end && isJSONSpace(b[start]) {
		start++
	}
	for end > start && isJSONSpace(b[end-1]) {
		end--
	}
	return end-start >= 2 && b[start] == '{' && b[end-1] == '}'
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// writeFileAtomic replaces path with data so that a reader sees the old content or the new,
// never a mix: a temporary file in the same directory, fsync, rename. The directory is created
// 0700 when missing; an existing one keeps its mode, as it may hold other files of the app.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable where the platform allows it; failing that the new file may
// be lost in a crash, which only means signing in again.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// removeFile deletes path; a file that is already gone is fine.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
