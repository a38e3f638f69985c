package desktop

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

var transports = []string{"socket", "tcp"}

// instanceDir is a fresh private directory whose socket path fits a Unix socket address.
func instanceDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rcdt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "rc")
}

// counter is an onShow that counts its calls and signals each one.
type counter struct {
	n     atomic.Int32
	calls chan struct{}
}

func newCounter() *counter { return &counter{calls: make(chan struct{}, 10)} }

func (c *counter) onShow() {
	c.n.Add(1)
	c.calls <- struct{}{}
}

func mustAcquire(t *testing.T, kind, dir string, onShow func()) func() {
	t.Helper()
	release, err := acquire(dir, testTransport(kind, dir), onShow)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	t.Cleanup(release)
	return release
}

func TestSecondAcquireAsksTheFirstToShow(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			dir := instanceDir(t)
			first := newCounter()
			release := mustAcquire(t, kind, dir, first.onShow)
			second := newCounter()
			_, err := acquire(dir, testTransport(kind, dir), second.onShow)
			if err != ErrAlreadyRunning { // exactly: a wrapped one means the request went unanswered
				t.Fatalf("second acquire: %v, want ErrAlreadyRunning", err)
			}
			<-first.calls
			release()
			if first.n.Load() != 1 || second.n.Load() != 0 {
				t.Fatalf("onShow calls: first %d, second %d; want 1 and 0", first.n.Load(), second.n.Load())
			}
			// Once released, the next launch becomes the instance.
			again := mustAcquire(t, kind, dir, nil)
			again()
		})
	}
}

func TestReleaseRemovesWhatWasPublished(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			dir := instanceDir(t)
			release := mustAcquire(t, kind, dir, nil)
			release()
			release() // twice is harmless
			for _, name := range []string{socketFileName, tcpAddrFileName} {
				if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is still there: %v", name, err)
				}
			}
		})
	}
}

func TestPermissionsKeepOtherUsersOut(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	dir := instanceDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, "socket", dir, nil)
	wantMode(t, dir, 0o700)
	wantMode(t, filepath.Join(dir, socketFileName), 0o600)
	wantMode(t, filepath.Join(dir, lockFileName), 0o600)

	dir2 := instanceDir(t)
	mustAcquire(t, "tcp", dir2, nil)
	wantMode(t, filepath.Join(dir2, tcpAddrFileName), 0o600)
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", path, got, want)
	}
}

func TestAcquireRefusesALinkedDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	target := instanceDir(t)
	if err := os.MkdirAll(target, 0o700); err != nil {
		t.Fatal(err)
	}
	link := target + "-link"
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(link) })
	if _, err := Acquire(link, nil); err == nil || errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("acquire in a symlinked dir: %v", err)
	}
}

func TestAStaleSocketIsTakenOver(t *testing.T) {
	dir := instanceDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, socketFileName)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	_ = l.Close() // as a crash would: the file stays, nobody listens
	if _, err := net.Dial("unix", path); err == nil {
		t.Fatal("the stale socket still answers")
	}
	first := newCounter()
	release := mustAcquire(t, "socket", dir, first.onShow)
	if _, err := acquire(dir, testTransport("socket", dir), nil); err != ErrAlreadyRunning {
		t.Fatalf("second acquire: %v", err)
	}
	<-first.calls
	release()
}

func TestAStaleAddressFileIsTakenOver(t *testing.T) {
	dir := instanceDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stale := l.Addr().String() + "\n" + strings.Repeat("ab", tokenBytes) + "\n"
	_ = l.Close()
	path := filepath.Join(dir, tcpAddrFileName)
	writeFile(t, path, stale)
	first := newCounter()
	mustAcquire(t, "tcp", dir, first.onShow)
	if readFile(t, path) == stale {
		t.Fatal("the address file was not rewritten")
	}
	if _, err := acquire(dir, testTransport("tcp", dir), nil); err != ErrAlreadyRunning {
		t.Fatalf("second acquire: %v", err)
	}
	<-first.calls
}

func TestTheInstanceIgnoresAnythingButTheRequest(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			dir := instanceDir(t)
			first := newCounter()
			release := mustAcquire(t, kind, dir, first.onShow)
			tr := testTransport(kind, dir)
			c, token, err := tr.dial() // a connection closed without a word: the instance sees EOF
			if err != nil {
				t.Fatal(err)
			}
			_ = c.Close()
			bad := []string{"hello\n", "show", "SHOW\n", "show\r\n", strings.Repeat("x", 4096) + "\n"}
			if kind == "tcp" {
				bad = append(bad, "show\n", strings.Repeat("00", tokenBytes)+"\nshow\n", token+"\nhello\n", "\n"+token+"\nshow\n")
			}
			for _, msg := range bad {
				if reply := exchange(t, tr, msg); reply != "" {
					t.Errorf("%q got the reply %q", msg, reply)
				}
			}
			if reply := exchange(t, tr, request(token)); reply != "ok\n" {
				t.Fatalf("the real request got %q", reply)
			}
			<-first.calls
			release()
			if n := first.n.Load(); n != 1 {
				t.Fatalf("onShow called %d times, want 1", n)
			}
		})
	}
}

// exchange sends msg, half-closes, and returns all the instance says before closing. The instance
// answers one connection at a time, so once this returns the message has been dealt with.
func exchange(t *testing.T, tr transport, msg string) string {
	t.Helper()
	c, _, err := tr.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, msg); err != nil {
		return "" // the instance hung up before reading it all: no reply either
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	reply, _ := io.ReadAll(c) // a reset from a connection closed unread counts as no reply
	return string(reply)
}

func TestALaunchDuringStartUpStillReportsTheInstance(t *testing.T) {
	defer func(n int) { dialAttempts = n }(dialAttempts)
	dialAttempts = 2
	dir := instanceDir(t)
	if err := ensurePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	unlock, err := tryLock(filepath.Join(dir, lockFileName)) // holds the lock, not yet listening
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = acquire(dir, testTransport("socket", dir), nil)
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("got %v", err)
	}
}

// startInstanceChild runs the test binary as an instance in dir and waits for it to be ready.
func startInstanceChild(t *testing.T, kind, dir string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(childEnviron(), childEnv+"="+kind, childDirEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	out := bufio.NewReader(stdout)
	if line := readChildLine(t, out); line != "ready" {
		t.Fatalf("child said %q", line)
	}
	return cmd, out
}

func readChildLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the child: %v", err)
	}
	return strings.TrimSuffix(line, "\n")
}

func TestAnotherProcessIsAskedToShow(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			dir := instanceDir(t)
			cmd, out := startInstanceChild(t, kind, dir)
			if _, err := acquire(dir, testTransport(kind, dir), nil); err != ErrAlreadyRunning {
				t.Fatalf("acquire while the child runs: %v", err)
			}
			if line := readChildLine(t, out); line != "shown" {
				t.Fatalf("child said %q", line)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("child: %v", err)
			}
			mustAcquire(t, kind, dir, nil)
		})
	}
}

func TestACrashedProcessLeavesNoClaim(t *testing.T) {
	for _, kind := range transports {
		t.Run(kind, func(t *testing.T) {
			dir := instanceDir(t)
			cmd, _ := startInstanceChild(t, kind, dir)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			published := map[string]string{"socket": socketFileName, "tcp": tcpAddrFileName}[kind]
			if _, err := os.Stat(filepath.Join(dir, published)); err != nil {
				t.Fatalf("the killed instance should have left %s behind: %v", published, err)
			}
			first := newCounter()
			mustAcquire(t, kind, dir, first.onShow)
			if _, err := acquire(dir, testTransport(kind, dir), nil); err != ErrAlreadyRunning {
				t.Fatalf("second acquire: %v", err)
			}
			<-first.calls
		})
	}
}

func TestDefaultDirPrefersTheRuntimeDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no XDG runtime dir on Windows")
	}
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if d, err := DefaultDir(); err != nil || d != "/run/user/1000/rescue-companion" {
		t.Fatalf("DefaultDir = %q, %v", d, err)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	cache, _ := os.UserCacheDir()
	if d, _ := DefaultDir(); d != filepath.Join(cache, "rescue-companion") {
		t.Fatalf("DefaultDir = %q", d)
	}
}

func TestReadRequest(t *testing.T) {
	token := strings.Repeat("7f", tokenBytes)
	tests := []struct {
		data, token string
		want        bool
	}{
		{"show\n", "", true},
		{"show\nanything after", "", true},
		{"show", "", false},
		{"show \n", "", false},
		{"hello\n", "", false},
		{token + "\nshow\n", token, true},
		{"show\n", token, false},
		{strings.ToUpper(token) + "\nshow\n", token, false},
		{token + "\n", token, false},
	}
	for _, tt := range tests {
		if got := readRequest(bufio.NewReader(strings.NewReader(tt.data)), tt.token); got != tt.want {
			t.Errorf("readRequest(%q, token %v) = %v", tt.data, tt.token != "", got)
		}
	}
}

// FuzzReadRequest: a request is accepted exactly when it starts with the fixed request.
func FuzzReadRequest(f *testing.F) {
	token := strings.Repeat("c3", tokenBytes)
	f.Add([]byte("show\n"), false)
	f.Add([]byte(token+"\nshow\n"), true)
	f.Add([]byte(token+"\nshow"), true)
	f.Add([]byte("\x00\n\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, withToken bool) {
		tok := ""
		if withToken {
			tok = token
		}
		got := readRequest(bufio.NewReader(strings.NewReader(string(data))), tok)
		if want := strings.HasPrefix(string(data), request(tok)); got != want {
			t.Fatalf("readRequest(%q) = %v, want %v", data, got, want)
		}
	})
}

func TestParseAddrFile(t *testing.T) {
	token := strings.Repeat("0a", tokenBytes)
	good := []string{"127.0.0.1:50123\n" + token + "\n", "[::1]:8\n" + token + "\n"}
	bad := []string{
		"",
		"127.0.0.1:50123\n" + token,               // no final newline: a partial write
		"10.0.0.5:50123\n" + token + "\n",         // not loopback
		"localhost:50123\n" + token + "\n",        // names are not resolved
		"127.0.0.1:\n" + token + "\n",             // no port
		"127.0.0.1:http\n" + token + "\n",         // named port
		"127.0.0.1:1\n" + token[2:] + "\n",        // short token
		"127.0.0.1:1\n" + token + "\nextra\n",     // more lines
		"127.0.0.1:1\n" + "zz" + token[2:] + "\n", // not hex
	}
	for _, s := range good {
		if _, _, err := parseAddrFile(s); err != nil {
			t.Errorf("parseAddrFile(%q): %v", s, err)
		}
	}
	for _, s := range bad {
		if _, _, err := parseAddrFile(s); err == nil {
			t.Errorf("parseAddrFile(%q) accepted", s)
		}
	}
}

// FuzzParseAddrFile: whatever the file says, only a loopback address and a full token come out.
func FuzzParseAddrFile(f *testing.F) {
	token := strings.Repeat("0a", tokenBytes)
	f.Add("127.0.0.1:50123\n" + token + "\n")
	f.Add("[::1]:1\n" + token + "\n")
	f.Add("[::ffff:127.0.0.1]:1\n" + token + "\n")
	f.Add("8.8.8.8:53\n" + token + "\n")
	f.Fuzz(func(t *testing.T, content string) {
		addr, tok, err := parseAddrFile(content)
		if err != nil {
			return
		}
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			t.Fatalf("accepted address %q", addr)
		}
		if len(tok) != 2*tokenBytes || content != addr+"\n"+tok+"\n" {
			t.Fatalf("accepted %q as %q %q", content, addr, tok)
		}
	})
}
