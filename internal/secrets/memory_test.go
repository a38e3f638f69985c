package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestMemoryRoundTrip(t *testing.T) {
	st := NewMemory()
	ctx := context.Background()
	if _, err := st.Get(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set = %v", err)
	}
	if err := st.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := st.Get(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := st.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete = %v", err)
	}
	if _, err := st.Get(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete = %v", err)
	}
}

func TestMemoryHonoursCancel(t *testing.T) {
	st := NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.Set(ctx, "k", "v"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Set = %v", err)
	}
	if _, err := st.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get = %v", err)
	}
	if err := st.Delete(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Delete = %v", err)
	}
}

func TestMemoryConcurrentUse(t *testing.T) {
	st := NewMemory()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("k%d", i)
			for range 100 {
				if err := st.Set(ctx, key, key); err != nil {
					t.Error(err)
					return
				}
				if v, err := st.Get(ctx, key); err != nil || v != key {
					t.Errorf("Get(%s) = %q, %v", key, v, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
