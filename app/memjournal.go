package main

import (
	"encoding/json"
	"sort"
	"sync"
)

// memoryJournal keeps JSON values in memory, sorted by key as the store keeps them: the outbox's
// home for a run whose store could not be opened (a locked keyring). Nothing in it survives the run.
type memoryJournal struct {
	mu   sync.Mutex
	data map[string]map[string][]byte
}

func newMemoryJournal() *memoryJournal { return &memoryJournal{data: map[string]map[string][]byte{}} }

func (m *memoryJournal) PutJSON(bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data[bucket] == nil {
		m.data[bucket] = map[string][]byte{}
	}
	m.data[bucket][key] = b
	return nil
}

func (m *memoryJournal) GetJSON(bucket, key string, v any) (bool, error) {
	m.mu.Lock()
	b, ok := m.data[bucket][key]
	m.mu.Unlock()
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(b, v)
}

func (m *memoryJournal) Delete(bucket, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data[bucket], key)
	return nil
}

func (m *memoryJournal) Keys(bucket string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.data[bucket]))
	for k := range m.data[bucket] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}
