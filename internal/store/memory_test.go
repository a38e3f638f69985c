package store

import "testing"

func TestMemoryKeepsJSONInKeyOrder(t *testing.T) {
	m := NewMemory()
	for i := 0; i < 12; i++ { // past ten: keys must still sort as numbers
		if _, err := m.AppendJSON("log", i); err != nil {
			t.Fatal(err)
		}
	}
	keys, _ := m.Keys("log")
	if len(keys) != 12 {
		t.Fatalf("%d keys", len(keys))
	}
	var last int
	if ok, err := m.GetJSON("log", keys[11], &last); !ok || err != nil || last != 11 {
		t.Fatalf("last appended %d %v %v", last, ok, err)
	}
	if err := m.PutJSON("b", "k", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	_ = m.Delete("b", "k")
	if ok, _ := m.GetJSON("b", "k", &last); ok {
		t.Fatal("deleted value still there")
	}
	if err := m.PutJSON("b", "k", func() {}); err == nil {
		t.Fatal("a value JSON cannot encode was kept")
	}
}
