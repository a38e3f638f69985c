package store

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Environment of the child process that TestHelperProcess turns into.
const (
	helperRoleEnv = "STORE_TEST_HELPER" // "hold" or "write"
	helperPathEnv = "STORE_TEST_PATH"
	helperKeyEnv  = "STORE_TEST_KEY" // hex; a test key, not a secret
)

// TestHelperProcess is not a test: it is the child process of the lock and crash tests.
//
//   - hold: opens the store, prints "ready", and holds it until stdin closes.
//   - write: puts crashValue(i) under crashKey(i) for i = 0, 1, ... and prints i after each
//     Put has returned (committed and fsynced), until it is killed.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperRoleEnv)
	if role == "" {
		t.Skip("child process only")
	}
	key, err := hex.DecodeString(os.Getenv(helperKeyEnv))
	if err != nil {
		helperFail(err)
	}
	s, err := Open(os.Getenv(helperPathEnv), key, Options{})
	if err != nil {
		helperFail(err)
	}
	switch role {
	case "hold":
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "write":
		for i := 0; ; i++ {
			if err := s.Put("crash", crashKey(i), crashValue(i)); err != nil {
				helperFail(err)
			}
			fmt.Println(i)
		}
	}
	if err := s.Close(); err != nil {
		helperFail(err)
	}
	os.Exit(0)
}

func helperFail(err error) {
	fmt.Println("error:", err)
	os.Exit(3)
}

// startHelper starts the test binary as a child in role on the store at path.
func startHelper(t *testing.T, role, path string, key []byte) (cmd *exec.Cmd, lines *bufio.Scanner, stdin io.WriteCloser) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(),
		helperRoleEnv+"="+role, helperPathEnv+"="+path, helperKeyEnv+"="+hex.EncodeToString(key))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err = cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewScanner(stdout), stdin
}

func TestSecondProcessGetsErrLocked(t *testing.T) {
	path := tempPath(t)
	key := testKey(1)
	openAt(t, path, key).Close()

	cmd, lines, stdin := startHelper(t, "hold", path, key)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("child did not open the store: %q %v", lines.Text(), lines.Err())
	}
	s, err := Open(path, key, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("Open while another process holds the file: %v, want ErrLocked", err)
	}

	// Once the child lets go, the same Open succeeds: the lock was the only obstacle.
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	openAt(t, path, key)
}

func TestKilledMidWriteKeepsCommittedValues(t *testing.T) {
	const reports = 150
	path := tempPath(t)
	key := testKey(1)
	openAt(t, path, key).Close()

	cmd, lines, _ := startHelper(t, "write", path, key)
	last := -1
	for last < reports-1 && lines.Scan() {
		n, err := strconv.Atoi(lines.Text())
		if err != nil || n != last+1 {
			t.Fatalf("child reported %q after %d", lines.Text(), last)
		}
		last = n
	}
	if last != reports-1 {
		t.Fatalf("child stopped after %d commits: %v", last+1, lines.Err())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix: no chance to clean up
		t.Fatal(err)
	}
	_ = cmd.Wait()

	s := openAt(t, path, key)
	keys, err := s.Keys("crash")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < reports {
		t.Fatalf("%d values survived, want at least the %d reported", len(keys), reports)
	}
	// Every value that is there (the reported ones and any committed after the last report)
	// must be a contiguous run from 0 and read back intact.
	for i, k := range keys {
		if k != crashKey(i) {
			t.Fatalf("key %d is %s, want %s", i, k, crashKey(i))
		}
		got, found, err := s.Get("crash", k)
		if err != nil || !found || !bytes.Equal(got, crashValue(i)) {
			t.Fatalf("Get(%s) after the crash: found %v, err %v, intact %v", k, found, err, bytes.Equal(got, crashValue(i)))
		}
	}
	// And the store keeps working.
	mustPut(t, s, "crash", "after", "ok")
	if !slices.Contains(mustKeys(t, s, "crash"), "after") {
		t.Error("write after recovery not visible")
	}
}

func crashKey(i int) string { return fmt.Sprintf("k%06d", i) }

// crashValue varies in size from a few bytes to several pages, so commits touch leaf pages,
// overflow pages and page splits.
func crashValue(i int) []byte {
	size := 10 + (i*7919)%12000
	v := make([]byte, size)
	for j := range v {
		v[j] = byte(i*31 + j)
	}
	return v
}

func mustKeys(t *testing.T, s *Store, bucket string) []string {
	t.Helper()
	keys, err := s.Keys(bucket)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
