package desktop

import (
	"fmt"
	"net"
	"os"
)

const (
	socketFileName = "instance.sock"
	// maxSocketPath is the longest path a Unix socket address holds everywhere (macOS: 104 bytes
	// with the NUL; Linux: 108).
	maxSocketPath = 103
)

// socketTransport meets at a Unix domain socket in the private directory.
type socketTransport struct {
	path string
}

func (s *socketTransport) listen() (net.Listener, string, error) {
	if len(s.path) > maxSocketPath {
		return nil, "", fmt.Errorf("desktop: %s is too long a path for a Unix socket", s.path)
	}
	// Whatever is at the path was left by an instance that no longer holds the lock.
	if err := removeIfExists(s.path); err != nil {
		return nil, "", err
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: s.path, Net: "unix"})
	if err != nil {
		return nil, "", err
	}
	l.SetUnlinkOnClose(false) // unpublish removes it, after the loop has stopped
	if err := os.Chmod(s.path, 0o600); err != nil {
		_ = l.Close()
		return nil, "", err
	}
	return l, "", nil
}

func (s *socketTransport) dial() (net.Conn, string, error) {
	c, err := net.DialTimeout("unix", s.path, ioTimeout)
	return c, "", err
}

func (s *socketTransport) unpublish() { _ = os.Remove(s.path) }
