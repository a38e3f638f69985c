package auth

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// cacheTimeout bounds a cache load or save whose context has no deadline, as MSAL's
// ExportReplace contract asks. The keyring has its own, shorter, timeout inside it.
const cacheTimeout = 10 * time.Second

// emptyCache is what MSAL is given when there is no file: an empty cache, so that a sign-out
// by another process empties this one too.
var emptyCache = []byte("{}")

// Reasons given by Persistence.
const (
	reasonNotConfigured = "no token cache file or keyring is configured; the sign-in lasts for this session only"
	reasonKeyring       = "the system keyring is unavailable or locked; the sign-in lasts for this session only"
	reasonUnreadable    = "the saved sign-in could not be read; the sign-in lasts for this session only (sign out to start afresh)"
	reasonUnwritable    = "the sign-in could not be saved to disk; it lasts for this session only"
)

// sealedCache is MSAL's cache.ExportReplace: one sealed blob in a file, its key in the keyring.
// The partition hint is ignored: a public client's hints vary between calls while Export
// always marshals the whole cache, so one blob is the only consistent store.
type sealedCache struct {
	path  string
	store secrets.Store

	mu      sync.Mutex
	key     []byte // the sealing key once read or created; nil before
	memOnly bool   // persistence is off for the rest of the session
	reason  string // why memOnly
	probed  bool   // whether the keyring was tried at all
}

var _ cache.ExportReplace = (*sealedCache)(nil)

func newSealedCache(path string, store secrets.Store) *sealedCache {
	c := &sealedCache{path: path, store: store}
	if path == "" || store == nil {
		c.memOnly, c.reason, c.probed = true, reasonNotConfigured, true
	}
	return c
}

// Replace loads the file into MSAL's cache. Failures never reach MSAL: the cache goes on in
// memory and Persistence says why.
func (c *sealedCache) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.memOnly {
		return nil
	}
	sealed, err := readSealedFile(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return u.Unmarshal(emptyCache)
	case err != nil:
		c.degrade(reasonUnreadable)
		return nil
	}
	plain, err := c.open(ctx, sealed)
	if err != nil {
		return nil // open has degraded already
	}
	if err := u.Unmarshal(plain); err != nil {
		c.degrade(reasonUnreadable)
	}
	return nil
}

// Export seals MSAL's whole cache into the file.
func (c *sealedCache) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.memOnly {
		return nil
	}
	plain, err := m.Marshal()
	if err != nil {
		return err
	}
	key, err := c.sealingKey(ctx, false)
	if err != nil {
		return nil // sealingKey has degraded already
	}
	sealed, err := secrets.Seal(key, plain)
	if err != nil {
		c.degrade(reasonUnwritable)
		return nil
	}
	if err := writeFileAtomic(c.path, sealed); err != nil {
		c.degrade(reasonUnwritable)
	}
	return nil
}

// open unseals the file's content. A key cached from earlier in the session may have been
// replaced by another process (sign-out then sign-in), so a failure is retried once with the
// key read afresh from the keyring.
func (c *sealedCache) open(ctx context.Context, sealed []byte) ([]byte, error) {
	hadKey := c.key != nil
	key, err := c.sealingKey(ctx, false)
	if err != nil {
		return nil, err
	}
	plain, err := openSealed(key, sealed)
	if err != nil && hadKey {
		if key, err = c.sealingKey(ctx, true); err != nil {
			return nil, err
		}
		plain, err = openSealed(key, sealed)
	}
	if err != nil {
		c.degrade(reasonUnreadable)
		return nil, err
	}
	return plain, nil
}

// sealingKey returns the key, from memory unless fresh is set, otherwise from the keyring
// (created there if missing). A keyring failure turns persistence off.
func (c *sealedCache) sealingKey(ctx context.Context, fresh bool) ([]byte, error) {
	if c.key != nil && !fresh {
		return c.key, nil
	}
	c.probed = true
	key, err := secrets.SealedKey(ctx, c.store, CacheKeyName)
	if err != nil {
		c.key = nil
		c.degrade(reasonKeyring)
		return nil, err
	}
	c.key = key
	return key, nil
}

// degrade turns persistence off for the rest of the session. The first reason is kept.
func (c *sealedCache) degrade(reason string) {
	if !c.memOnly {
		c.memOnly, c.reason = true, reason
	}
}

// persistence reports whether the cache is saved to disk. Until something has needed the
// keyring it is probed once here, so the answer is real.
func (c *sealedCache) persistence(ctx context.Context) (bool, string) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.memOnly && !c.probed {
		_, _ = c.sealingKey(ctx, false)
	}
	return !c.memOnly, c.reason
}

// forget deletes the file and the key, and lets the next save start afresh with a new key.
// The file's removal is what counts; a key left in an unavailable keyring protects nothing.
func (c *sealedCache) forget(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.path != "" {
		err = removeFile(c.path)
	}
	if c.store != nil {
		_ = c.store.Delete(ctx, CacheKeyName)
	}
	c.key = nil
	if c.path != "" && c.store != nil {
		c.memOnly, c.reason, c.probed = false, "", false
	}
	return err
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, cacheTimeout)
}
