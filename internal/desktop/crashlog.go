package desktop

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// CrashExitCode is the exit status of a process ended by Guard after a panic: EX_SOFTWARE, apart
// from the command line's own codes (2 usage, 3 console, 4 sign-in).
const CrashExitCode = 70

const (
	crashPrefix   = "crash-"
	crashSuffix   = ".log"
	keepCrashLogs = 5
	// crashTimeLayout sorts by name in time order and has no ':' (not allowed in Windows names).
	crashTimeLayout = "20060102-150405.000000000"
)

// crashLog writes panic reports to a folder, newest keep kept.
type crashLog struct {
	dir    string
	redact func(string) string
	keep   int
	now    func() time.Time
}

// installed is the crash log Guard writes to; nil means the defaults.
var installed atomic.Pointer[crashLog]

// Process hooks, replaced by tests.
var (
	exitProcess           = os.Exit
	crashStderr io.Writer = os.Stderr
)

// DefaultCrashDir is <user cache dir>/rescue-companion, or a folder in the temporary directory
// when the system names no cache directory.
func DefaultCrashDir() string {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, appDirName)
}

// InstallCrashLog makes Guard write its reports to dir (DefaultCrashDir when empty), with the
// panic message and the stack passed through redact (when not nil) and then through Redact.
// It returns the folder the reports go to, and stop, which puts back what was installed before.
// Nothing is created until there is something to report.
func InstallCrashLog(dir string, redact func(string) string) (path string, stop func()) {
	if dir == "" {
		dir = DefaultCrashDir()
	}
	c := &crashLog{dir: dir, redact: redact, keep: keepCrashLogs, now: time.Now}
	previous := installed.Swap(c)
	return dir, func() { installed.CompareAndSwap(c, previous) }
}

func currentCrashLog() *crashLog {
	if c := installed.Load(); c != nil {
		return c
	}
	return &crashLog{dir: DefaultCrashDir(), keep: keepCrashLogs, now: time.Now}
}

// Guard runs f. If f panics, Guard writes a report to the installed crash log, says where on
// standard error (the message itself stays in the report) and ends the process with CrashExitCode.
// The app wraps its main function, and the start of every goroutine of its own (see Go), with it.
func Guard(f func()) {
	defer func() {
		if v := recover(); v != nil {
			reportCrash(v, debug.Stack())
		}
	}()
	f()
}

// Go runs f in a new goroutine under Guard.
func Go(f func()) { go Guard(f) }

func reportCrash(v any, stack []byte) {
	path, err := currentCrashLog().write(v, stack)
	if err != nil {
		fmt.Fprintf(crashStderr, "rescue-companion: internal error; the crash report could not be saved: %v\n", err)
	} else {
		fmt.Fprintf(crashStderr, "rescue-companion: internal error; a crash report was saved to %s\n", path)
	}
	exitProcess(CrashExitCode)
}

// write saves one report and removes the oldest beyond keep. It returns the report's path.
func (c *crashLog) write(v any, stack []byte) (string, error) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return "", err
	}
	at := c.now().UTC()
	report := c.report(v, stack, at)
	path, err := createExclusive(c.dir, at, []byte(report))
	if err != nil {
		return "", err
	}
	c.rotate()
	return path, nil
}

// report is the text of a report. Only the panic message and the stack can carry data, and both
// are redacted.
func (c *crashLog) report(v any, stack []byte, at time.Time) string {
	clean := func(s string) string {
		if c.redact != nil {
			s = c.redact(s)
		}
		return Redact(s)
	}
	return "Rescue Companion crash report\n" +
		"time: " + at.Format(time.RFC3339Nano) + "\n" +
		"go: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n" +
		"panic: " + clean(panicMessage(v)) + "\n\n" +
		clean(string(stack))
}

func panicMessage(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(v)
}

// createExclusive writes a new report named after at, moving on a nanosecond when the name is taken,
// so two reports never overwrite each other and names still sort in time order.
func createExclusive(dir string, at time.Time, data []byte) (string, error) {
	for range 100 {
		path := filepath.Join(dir, crashPrefix+at.Format(crashTimeLayout)+crashSuffix)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			at = at.Add(time.Nanosecond)
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(data)
		if err := errors.Join(werr, f.Close()); err != nil {
			return "", err
		}
		return path, nil
	}
	return "", errors.New("desktop: no free name for the crash report")
}

// rotate keeps the newest c.keep reports; other files in the folder are left alone.
func (c *crashLog) rotate() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	var reports []string
	for _, e := range entries {
		if name := e.Name(); strings.HasPrefix(name, crashPrefix) && strings.HasSuffix(name, crashSuffix) {
			reports = append(reports, name)
		}
	}
	slices.Sort(reports)
	for _, name := range reports[:max(0, len(reports)-c.keep)] {
		_ = os.Remove(filepath.Join(c.dir, name))
	}
}
