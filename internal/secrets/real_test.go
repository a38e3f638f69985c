package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tests against the real OS keyring. They run only when asked, because they need a keyring
// service and must not touch a developer's entries by surprise:
//
//	HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \
//	    --components=secrets >/dev/null; RC_REAL_KEYRING=1 go test -run Real ./internal/secrets/'
//
//	HOME=$(mktemp -d) dbus-run-session -- sh -c \
//	    'RC_NO_KEYRING=1 go test -run NoSecretService ./internal/secrets/'   # locked: no unlock step
const (
	realKeyringEnv = "RC_REAL_KEYRING"
	noKeyringEnv   = "RC_NO_KEYRING"
)

func TestRealSecretService(t *testing.T) {
	if os.Getenv(realKeyringEnv) != "1" {
		t.Skip("set " + realKeyringEnv + "=1 with an unlocked Secret Service (see real_test.go) to run against the real keyring")
	}
	if rerunInFreshProcess(t, "TestRealSecretService") {
		return
	}
	st := NewKeyring(0)
	ctx := context.Background()
	key := fmt.Sprintf("test-%d-%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() { _ = st.Delete(context.Background(), key) })

	t.Run("round trip", func(t *testing.T) {
		if _, err := st.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get of a missing entry = %v, want ErrNotFound", err)
		}
		full := strings.Repeat("é=+/ ", MaxValueBytes/6) // multi-byte text near the limit
		for _, value := range []string{"first value", full} {
			if err := st.Set(ctx, key, value); err != nil {
				t.Fatalf("Set %d bytes: %v", len(value), err)
			}
			if got, err := st.Get(ctx, key); err != nil || got != value {
				t.Fatalf("Get = %d bytes, %v; want the %d bytes just set", len(got), err, len(value))
			}
		}
		if err := st.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
		}
		if err := st.Delete(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Delete of a missing entry = %v, want ErrNotFound", err)
		}
	})

	t.Run("sealed key", func(t *testing.T) {
		name := key + "-seal"
		t.Cleanup(func() { _ = st.Delete(context.Background(), name) })
		first, err := SealedKey(ctx, st, name)
		if err != nil {
			t.Fatal(err)
		}
		again, err := SealedKey(ctx, st, name)
		if err != nil || string(again) != string(first) {
			t.Fatalf("second SealedKey differs or failed: %v", err)
		}
	})

	t.Run("locked collection", func(t *testing.T) {
		// A session bus of its own, whose Secret Service starts with no unlocked collection and
		// no prompter: the same state as a locked keyring. The developer's keyring is untouched.
		runner, err := exec.LookPath("dbus-run-session")
		if err != nil {
			t.Skip("dbus-run-session is not installed")
		}
		rerunUnavailable(t, []string{runner, "--"}, nil)
	})

	t.Run("no session bus", func(t *testing.T) {
		absent := "unix:path=" + filepath.Join(t.TempDir(), "no-bus")
		rerunUnavailable(t, nil, []string{"DBUS_SESSION_BUS_ADDRESS=" + absent})
	})
}

// TestNoSecretServiceIsUnavailable expects every call to fail with ErrUnavailable, within the
// timeout, when the keyring is locked or missing. It runs when RC_NO_KEYRING=1.
func TestNoSecretServiceIsUnavailable(t *testing.T) {
	if os.Getenv(noKeyringEnv) != "1" {
		t.Skip("set " + noKeyringEnv + "=1 where the keyring is locked or missing (see real_test.go)")
	}
	if rerunInFreshProcess(t, "TestNoSecretServiceIsUnavailable") {
		return
	}
	st := NewKeyring(0)
	ctx := context.Background()
	_, getErr := st.Get(ctx, "test-unavailable")
	for op, err := range map[string]error{
		"get":    getErr,
		"set":    st.Set(ctx, "test-unavailable", "unused value"),
		"delete": st.Delete(ctx, "test-unavailable"),
	} {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s = %v, want ErrUnavailable", op, err)
		} else {
			t.Logf("%s: %v", op, err)
		}
	}
}

// rerunUnavailable runs TestNoSecretServiceIsUnavailable in a child process, the test binary
// started through prefix (a command and its arguments, or nothing) with env added, and
// requires it to pass, not skip. The child gets a throwaway home and runtime directory, so a
// keyring daemon it starts cannot find or touch the developer's.
func rerunUnavailable(t *testing.T, prefix, env []string) {
	t.Helper()
	args := append(prefix, os.Args[0], "-test.run=^TestNoSecretServiceIsUnavailable$", "-test.v", "-test.count=1")
	cmd := exec.Command(args[0], args[1:]...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), noKeyringEnv+"=1", realKeyringEnv+"=",
		"HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_RUNTIME_DIR="+home)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestNoSecretServiceIsUnavailable") {
		t.Fatalf("child failed (%v):\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
}

// rerunInFreshProcess runs the named test in a child process when this process has replaced
// go-keyring's provider with its mock (there is no way back), and reports whether it did.
func rerunInFreshProcess(t *testing.T, name string) bool {
	t.Helper()
	if !mockInstalled.Load() {
		return false
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("%s in a fresh process failed (%v):\n%s", name, err, out)
	}
	return true
}
