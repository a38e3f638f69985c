package dataverse

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Record returns a copy of one row, by entity set and primary key, with values as the Web API writes
// them (dates as 2006-01-02T15:04:05Z, lookups as _x_value GUIDs).
func (s *Server) Record(entitySet, id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[entitySet]
	if t == nil {
		return nil, false
	}
	r := t.rows[strings.ToLower(id)]
	if r == nil {
		return nil, false
	}
	return wireCopy(t, r), true
}

// Records returns copies of every row of an entity set, oldest first (then by primary key).
func (s *Server) Records(entitySet string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[entitySet]
	if t == nil {
		return nil
	}
	rows := t.sortedRows()
	sort.SliceStable(rows, func(i, j int) bool {
		a, _ := rows[i].values["createdon"].(time.Time)
		b, _ := rows[j].values["createdon"].(time.Time)
		return a.Before(b)
	})
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, wireCopy(t, r))
	}
	return out
}

func wireCopy(t *table, r *record) map[string]any {
	out := make(map[string]any, len(r.values))
	for _, name := range t.allColumns() {
		v := r.values[name]
		if tm, ok := v.(time.Time); ok {
			v = wireTime(tm)
		}
		out[name] = v
	}
	return out
}

// SetKeyStatus sets the index status of an alternate key: Pending, InProgress, Active or Failed.
// Each status but Active submits a new index job; Failed leaves a failed asyncoperation (operationtype
// 63, statuscode 31) with a message, as a key whose index cannot be built does.
func (s *Server) SetKeyStatus(entity, key, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, k, err := s.findKey(entity, key)
	if err != nil {
		return fmt.Errorf("dataverse: %s", err.message)
	}
	switch status {
	case "Active":
		s.finishJob(k, jobSucceeded)
		k.status, k.settleOnRead = "Active", false
	case "Pending":
		s.startKeyJob(t, k, jobWaiting)
	case "InProgress":
		s.startKeyJob(t, k, jobInProgress)
	case "Failed":
		s.startKeyJob(t, k, jobFailed)
	default:
		return fmt.Errorf("dataverse: unknown key status %q (want Pending, InProgress, Active or Failed)", status)
	}
	return nil
}

// KeyStatus reports the index status of an alternate key.
func (s *Server) KeyStatus(entity, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, k, err := s.findKey(entity, key)
	if err != nil {
		return "", false
	}
	return k.status, true
}

// SetCustomizer grants (allowed) or withdraws a user's System Customizer privileges: without them the
// metadata writes and ReactivateEntityKey answer 403 0x80040220 and change nothing.
func (s *Server) SetCustomizer(systemUserID string, allowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(systemUserID)
	if allowed {
		delete(s.nonCustomizers, id)
		return
	}
	s.nonCustomizers[id] = true
}

// HasTable reports whether the organisation has a table with that entity set name.
func (s *Server) HasTable(entitySet string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tables[entitySet] != nil
}

// Keys lists the alternate keys of a table by their logical names, with their index statuses.
func (s *Server) Keys(entity string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if t := s.byEntity[entity]; t != nil {
		for _, k := range t.keys {
			out[k.logicalName] = k.status
		}
	}
	return out
}

// Attributes lists the logical names of a table's attributes as its metadata does, or nil when
// there is no such table.
func (s *Server) Attributes(entity string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.byEntity[entity]
	if t == nil {
		return nil
	}
	var out []string
	for _, v := range t.attributeViews() {
		out = append(out, v.name)
	}
	return out
}
