package desktop

import (
	"bufio"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// ErrAlreadyRunning is returned by Acquire when another instance runs for this user. That instance
// has been asked to show itself; the caller should exit.
var ErrAlreadyRunning = errors.New("desktop: Rescue Companion is already running")

// errLocked is tryLock's answer when another process holds the lock.
var errLocked = errors.New("desktop: the instance lock is held")

const (
	lockFileName = "instance.lock"
	showRequest  = "show"
	okReply      = "ok"
	maxLine      = 128 // longer than any line of the protocol (the token is 64 characters)
)

// Timings of the handshake. A later launch may find the lock taken by an instance that is still
// starting and not yet listening, so it tries a few times before giving up on an answer.
var (
	ioTimeout        = 3 * time.Second
	dialAttempts     = 20
	dialRetryDelay   = 100 * time.Millisecond
	acceptRetryDelay = 100 * time.Millisecond
)

// transport is how instances of one user meet: the running one listens, a later one dials.
type transport interface {
	// listen, called with the lock held, clears what a crashed instance left, listens and returns
	// the token clients must present ("" when the address is private by itself).
	listen() (net.Listener, string, error)
	// dial connects to the running instance and returns the token to present.
	dial() (net.Conn, string, error)
	// unpublish removes what listen wrote, before the lock is released.
	unpublish()
}

// DefaultDir is where Acquire keeps its files when given no dir: a per-user folder under
// $XDG_RUNTIME_DIR when it is set (not on Windows), else under the user cache directory.
func DefaultDir() (string, error) {
	if runtime.GOOS != "windows" {
		if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
			return filepath.Join(d, appDirName), nil
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, appDirName), nil
}

// Acquire tries to become the one instance for this user, keeping its files in dir (DefaultDir
// when empty). When another instance runs, it asks that one to show itself and returns
// ErrAlreadyRunning. Otherwise it returns a release func, which stops listening and gives up the
// claim (the app calls it when it quits), and calls onShow, from a goroutine of its own, each
// time a later launch asks; onShow should return promptly (hand over to the UI and return).
// Any other error means the check could not be made; the app may then carry on alone.
func Acquire(dir string, onShow func()) (release func(), err error) {
	if dir == "" {
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	return acquire(dir, platformTransport(dir), onShow)
}

// platformTransport is a Unix socket where the system has private directories to put it in, and a
// loopback port with a token on Windows.
func platformTransport(dir string) transport {
	if runtime.GOOS == "windows" {
		return &tcpTransport{addrFile: filepath.Join(dir, tcpAddrFileName)}
	}
	return &socketTransport{path: filepath.Join(dir, socketFileName)}
}

func acquire(dir string, t transport, onShow func()) (func(), error) {
	if err := ensurePrivateDir(dir); err != nil {
		return nil, err
	}
	unlock, err := tryLock(filepath.Join(dir, lockFileName))
	if errors.Is(err, errLocked) {
		return nil, askToShow(t)
	}
	if err != nil {
		return nil, err
	}
	l, token, err := t.listen()
	if err != nil {
		unlock()
		return nil, err
	}
	in := &instance{listener: l, token: token, onShow: onShow, transport: t, unlock: unlock}
	in.done.Go(in.serve)
	return in.release, nil
}

// askToShow sends the show request to the running instance. Whether or not it answers, it runs
// (it holds the lock), so the result is ErrAlreadyRunning either way.
func askToShow(t transport) error {
	var last error
	for attempt := range dialAttempts {
		if attempt > 0 {
			time.Sleep(dialRetryDelay)
		}
		if last = ask(t); last == nil {
			return ErrAlreadyRunning
		}
	}
	return fmt.Errorf("%w (it did not answer: %w)", ErrAlreadyRunning, last)
}

func ask(t transport) error {
	c, token, err := t.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, request(token)); err != nil {
		return err
	}
	reply, ok := readLine(bufio.NewReader(c))
	if !ok || reply != okReply {
		return errors.New("desktop: no answer to the show request")
	}
	return nil
}

// request is what a later launch sends: the token line when there is one, then "show".
func request(token string) string {
	if token == "" {
		return showRequest + "\n"
	}
	return token + "\n" + showRequest + "\n"
}

// readRequest reports whether r starts with request(token). What follows is not read.
func readRequest(r *bufio.Reader, token string) bool {
	if token != "" {
		line, ok := readLine(r)
		if !ok || subtle.ConstantTimeCompare([]byte(line), []byte(token)) != 1 {
			return false
		}
	}
	line, ok := readLine(r)
	return ok && line == showRequest
}

// readLine reads one line ended by "\n", at most maxLine bytes before it.
func readLine(r *bufio.Reader) (string, bool) {
	var line []byte
	for len(line) <= maxLine {
		c, err := r.ReadByte()
		if err != nil {
			return "", false
		}
		if c == '\n' {
			return string(line), true
		}
		line = append(line, c)
	}
	return "", false
}

// instance is the running instance's side: the lock, the listener and the loop answering requests.
type instance struct {
	listener  net.Listener
	token     string
	onShow    func()
	transport transport
	unlock    func()
	done      sync.WaitGroup
	once      sync.Once
}

// serve answers requests one at a time, so onShow is never called concurrently with itself.
func (in *instance) serve() {
	for {
		c, err := in.listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // out of file descriptors, say: wait rather than spin
			time.Sleep(acceptRetryDelay)
			continue
		}
		if in.answer(c) && in.onShow != nil {
			in.onShow()
		}
	}
}

// answer reads one request and says "ok" to a good one. A caller that hangs is cut off by the
// deadline; one that sends anything else is closed on without a word.
func (in *instance) answer(c net.Conn) bool {
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		return false
	}
	if !readRequest(bufio.NewReaderSize(c, 2*maxLine), in.token) {
		return false
	}
	_, _ = io.WriteString(c, okReply+"\n") // the launch that asked may already have given up
	return true
}

// release stops listening, waits for the loop to finish, removes the published address and gives
// up the lock, in that order, so a newer instance's files are never removed.
func (in *instance) release() {
	in.once.Do(func() {
		_ = in.listener.Close()
		in.done.Wait()
		in.transport.unpublish()
		in.unlock()
	})
}
