package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Memory keeps JSON values in memory with the Store's JSON methods and its key order: for a run
// whose store could not be opened (a locked keyring), and for tests. Nothing in it outlives the
// process, and nothing is sealed, because nothing reaches a disk.
type Memory struct {
	mu   sync.Mutex
	data map[string]map[string][]byte
	seq  map[string]uint64
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{data: map[string]map[string][]byte{}, seq: map[string]uint64{}}
}

// PutJSON stores v encoded with encoding/json.
func (m *Memory) PutJSON(bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encoding %s/%s: %w", bucket, key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data[bucket] == nil {
		m.data[bucket] = map[string][]byte{}
	}
	m.data[bucket][key] = b
	return nil
}

// GetJSON decodes the value at bucket/key into v and reports whether it was there.
func (m *Memory) GetJSON(bucket, key string, v any) (bool, error) {
	m.mu.Lock()
	b, ok := m.data[bucket][key]
	m.mu.Unlock()
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(b, v)
}

// Delete removes bucket/key; a missing one is not an error.
func (m *Memory) Delete(bucket, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data[bucket], key)
	return nil
}

// Keys lists the bucket's keys in byte order, as the Store does.
func (m *Memory) Keys(bucket string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.data[bucket]))
	for k := range m.data[bucket] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// AppendJSON stores v under the bucket's next sequence number, keyed as the Store keys it.
func (m *Memory) AppendJSON(bucket string, v any) (string, error) {
	m.mu.Lock()
	m.seq[bucket]++
	key := SequenceKey(m.seq[bucket])
	m.mu.Unlock()
	return key, m.PutJSON(bucket, key, v)
}
