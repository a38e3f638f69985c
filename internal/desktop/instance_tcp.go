package desktop

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"strings"
)

const tcpAddrFileName = "instance.addr"

// tcpTransport meets at a loopback TCP port. Anyone on the machine can connect to a port, so the
// address file (readable by its owner only) also holds a random token, which a client must send.
type tcpTransport struct {
	addrFile string
}

func (t *tcpTransport) listen() (net.Listener, string, error) {
	token, err := newToken()
	if err != nil {
		return nil, "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	content := l.Addr().String() + "\n" + token + "\n"
	if err := writeFileAtomic(t.addrFile, []byte(content), 0o600); err != nil {
		_ = l.Close()
		return nil, "", err
	}
	return l, token, nil
}

func (t *tcpTransport) dial() (net.Conn, string, error) {
	f, err := os.Open(t.addrFile)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4*maxLine))
	if err != nil {
		return nil, "", err
	}
	addr, token, err := parseAddrFile(string(data))
	if err != nil {
		return nil, "", err
	}
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	return c, token, err
}

func (t *tcpTransport) unpublish() { _ = os.Remove(t.addrFile) }

// tokenBytes is the token's strength: 256 bits, written as 64 hexadecimal digits.
const tokenBytes = 32

func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

var errBadAddrFile = errors.New("desktop: the instance address file is not usable")

// parseAddrFile reads "127.0.0.1:PORT\nTOKEN\n". The address must be a loopback one, so a tampered
// file can never send the token off the machine.
func parseAddrFile(content string) (addr, token string, err error) {
	lines := strings.Split(content, "\n")
	if len(lines) != 3 || lines[2] != "" {
		return "", "", errBadAddrFile
	}
	addr, token = lines[0], lines[1]
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || strings.Trim(port, "0123456789") != "" {
		return "", "", errBadAddrFile
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", "", errBadAddrFile
	}
	if b, err := hex.DecodeString(token); err != nil || len(b) != tokenBytes {
		return "", "", errBadAddrFile
	}
	return addr, token, nil
}
