package desktop

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// childEnv makes the test binary play a second process instead of running the tests.
const (
	childEnv    = "RESCUE_COMPANION_DESKTOP_TEST_CHILD"
	childDirEnv = "RESCUE_COMPANION_DESKTOP_TEST_DIR"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "crash":
		os.Exit(crashChild(os.Getenv(childDirEnv)))
	default:
		os.Exit(instanceChild(os.Getenv(childEnv), os.Getenv(childDirEnv)))
	}
}

// instanceChild becomes the instance, says "ready", and when asked to show says "shown" and exits.
// It also exits when its standard input closes, so it never outlives the test.
func instanceChild(kind, dir string) int {
	shown := make(chan struct{}, 1)
	release, err := acquire(dir, testTransport(kind, dir), func() { shown <- struct{}{} })
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer release()
	fmt.Println("ready")
	stdinClosed := make(chan struct{})
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString(0)
		close(stdinClosed)
	}()
	select {
	case <-shown:
		fmt.Println("shown")
	case <-stdinClosed:
	}
	return 0
}

// childEnviron is the environment of a child process. Under the race detector a process waits a
// second at exit for late reports; the children have nothing to wait for.
func childEnviron() []string {
	return append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

func testTransport(kind, dir string) transport {
	if kind == "tcp" {
		return &tcpTransport{addrFile: filepath.Join(dir, tcpAddrFileName)}
	}
	return &socketTransport{path: filepath.Join(dir, socketFileName)}
}

// crashChild panics under Guard, with secrets in the message, as the app would if it had a bug.
func crashChild(dir string) int {
	var known Secrets
	known.Add(appSecret)
	InstallCrashLog(dir, known.Redact)
	Guard(func() { panic(canaryMessage()) })
	return 0 // not reached: Guard exits
}
