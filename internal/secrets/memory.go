package secrets

import (
	"context"
	"fmt"
	"sync"
)

type memoryStore struct {
	mu     sync.Mutex
	values map[string]string
}

// NewMemory returns a Store that lives in memory only: the session-only fallback when the
// keyring is unavailable, and a stand-in for tests. It applies the same key and size rules as
// the keyring, so code that works against it works against the keyring too.
func NewMemory() Store {
	return &memoryStore{values: make(map[string]string)}
}

func (m *memoryStore) Get(ctx context.Context, key string) (string, error) {
	if err := checkKey("get", key); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("secrets: get %q: %w", key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[key]
	if !ok {
		return "", fmt.Errorf("secrets: get %q: %w", key, ErrNotFound)
	}
	return v, nil
}

func (m *memoryStore) Set(ctx context.Context, key, value string) error {
	if err := checkKey("set", key); err != nil {
		return err
	}
	if err := checkValue(key, value); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secrets: set %q: %w", key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[key] = value
	return nil
}

func (m *memoryStore) Delete(ctx context.Context, key string) error {
	if err := checkKey("delete", key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secrets: delete %q: %w", key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.values[key]; !ok {
		return fmt.Errorf("secrets: delete %q: %w", key, ErrNotFound)
	}
	delete(m.values, key)
	return nil
}
