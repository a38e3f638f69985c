package outbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Environment of the child process that TestChildProcess turns into.
const (
	childRoleEnv = "OUTBOX_TEST_CHILD" // "work" or "enqueue"
	childDirEnv  = "OUTBOX_TEST_DIR"   // holds store.db and applied.log
	childStopEnv = "OUTBOX_TEST_STOP"  // work: where to block (see TestChildProcess)
	childFillEnv = "OUTBOX_TEST_FILL"  // work: "1" to enqueue workJobs first
)

// TestChildProcess is not a test: it is the child process of the kill -9 tests.
//
//   - work: opens the store; with OUTBOX_TEST_FILL=1 enqueues workJobs and prints
//     "enqueued"; then runs passes until the outbox is empty, prints "drained" and exits.
//     The handler appends the job's key to applied.log and prints "applied <key>". Where
//     OUTBOX_TEST_STOP says, it prints "blocked" and blocks until killed: "enqueued" right
//     after enqueueing, "handler:<key>" inside that job's handler after applying it,
//     "between:<key>" once that job is deleted and before the next handler starts.
//   - enqueue: for i = 0, 1, ... enqueues enqueueJob(i) and replaces the job "same" with
//     payload i, then prints i, until it is killed.
func TestChildProcess(t *testing.T) {
	role := os.Getenv(childRoleEnv)
	if role == "" {
		t.Skip("child process only")
	}
	dir := os.Getenv(childDirEnv)
	st := openStore(t, filepath.Join(dir, "store.db"))
	switch role {
	case "work":
		childWork(dir, st, os.Getenv(childStopEnv), os.Getenv(childFillEnv) == "1")
	case "enqueue":
		childEnqueue(st)
	}
	childFail(fmt.Errorf("unknown role %q", role))
}

func childWork(dir string, st Store, stop string, fill bool) {
	var mu sync.Mutex
	lastApplied := ""
	onChange := func() {
		mu.Lock()
		last := lastApplied
		mu.Unlock()
		if last != "" && stop == "between:"+last {
			blockUntilKilled()
		}
	}
	o := New(st, testBucket, Options{OnChange: onChange, Backoff: fixedBackoff})
	if fill {
		if err := o.EnqueueAll(workJobs()); err != nil {
			childFail(err)
		}
		fmt.Println("enqueued")
		if stop == "enqueued" {
			blockUntilKilled()
		}
	}
	log, err := os.OpenFile(filepath.Join(dir, "applied.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		childFail(err)
	}
	apply := func(_ context.Context, j Job) error {
		if _, err := log.WriteString(j.Key + "\n"); err != nil { // one write: whole line or none
			return err
		}
		fmt.Println("applied", j.Key)
		mu.Lock()
		lastApplied = j.Key
		mu.Unlock()
		if stop == "handler:"+j.Key {
			blockUntilKilled()
		}
		return nil
	}
	for {
		if _, err := o.RunDue(context.Background(), map[string]Handler{"write": apply}); err != nil {
			childFail(err)
		}
		c, err := o.Pending()
		if err != nil {
			childFail(err)
		}
		if c.Pending() == 0 {
			fmt.Println("drained")
			os.Exit(0)
		}
	}
}

func childEnqueue(st Store) {
	o := New(st, testBucket, Options{})
	for i := 0; ; i++ {
		if err := o.Enqueue(enqueueJob(i)); err != nil {
			childFail(err)
		}
		if err := o.Enqueue(Job{Key: "same", Kind: "write", Payload: enqueuePayload(i)}); err != nil {
			childFail(err)
		}
		fmt.Println(i)
	}
}

// blockUntilKilled prints "blocked" and waits; the parent never closes stdin.
func blockUntilKilled() {
	fmt.Println("blocked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(5)
}

func childFail(err error) {
	fmt.Println("error:", err)
	os.Exit(3)
}

// workJobs are the jobs of the work child: three sessions' writes, interleaved, and loose
// notes, in the order they are enqueued.
func workJobs() []Job {
	var jobs []Job
	for step := range 3 {
		for session := range 3 {
			jobs = append(jobs, job(fmt.Sprintf("s%d-step%d", session, step), fmt.Sprintf("s%d", session)))
		}
		jobs = append(jobs, job(fmt.Sprintf("note%d", step), ""))
	}
	return jobs
}

func enqueueJob(i int) Job {
	return Job{Key: fmt.Sprintf("e%06d", i), Kind: "write", Group: "g", Payload: enqueuePayload(i)}
}

// enqueuePayload is i with padding from a few bytes to several store pages, and a checksum,
// so a half-written payload cannot pass for a whole one.
type enqueuePayloadBody struct {
	I   int    `json:"i"`
	Pad string `json:"pad"`
	Sum uint32 `json:"sum"`
}

func enqueuePayload(i int) json.RawMessage {
	pad := strings.Repeat(string(rune('a'+i%26)), 10+(i*7919)%12000)
	data, _ := json.Marshal(enqueuePayloadBody{I: i, Pad: pad, Sum: crc32.ChecksumIEEE([]byte(pad))})
	return data
}

func checkPayload(t *testing.T, key string, p json.RawMessage) int {
	t.Helper()
	var body enqueuePayloadBody
	if err := json.Unmarshal(p, &body); err != nil || crc32.ChecksumIEEE([]byte(body.Pad)) != body.Sum {
		t.Fatalf("job %s has a damaged payload (%v)", key, err)
	}
	return body.I
}

// child is a running child process and its stdout lines.
type child struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
}

func startChild(t *testing.T, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$")
	cmd.Env = append(os.Environ(), append([]string{childDirEnv + "=" + dir}, env...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.StdinPipe(); err != nil { // kept open: blockUntilKilled waits on it
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return &child{cmd, bufio.NewScanner(stdout)}
}

// next returns the child's next line, failing if it ended or reported an error.
func (c *child) next(t *testing.T) string {
	t.Helper()
	if !c.lines.Scan() {
		t.Fatalf("child ended early: %v", c.lines.Err())
	}
	line := c.lines.Text()
	if strings.HasPrefix(line, "error:") {
		t.Fatalf("child failed: %s", line)
	}
	return line
}

// until reads lines up to and including want.
func (c *child) until(t *testing.T, want string) {
	t.Helper()
	for c.next(t) != want {
	}
}

// kill sends SIGKILL (on Unix: no deferred call, no flush, no chance to clean up).
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

func TestKilledWorkerLosesNoJob(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	tests := []struct {
		name        string
		stop        string
		killAfter   string // the line after which the parent kills the child
		wantTwiceOf string // the job in flight at the kill, applied again on restart
	}{
		{"before any handler", "enqueued", "blocked", ""},
		{"inside a handler", "handler:s1-step1", "blocked", "s1-step1"},
		{"between two handlers", "between:s1-step1", "blocked", ""},
		{"anywhere, after a few jobs", "", "applied note1", "?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first := startChild(t, dir, childRoleEnv+"=work", childFillEnv+"=1", childStopEnv+"="+tc.stop)
			first.until(t, "enqueued")
			first.until(t, tc.killAfter)
			first.kill(t)

			again := startChild(t, dir, childRoleEnv+"=work")
			again.until(t, "drained")
			_ = again.cmd.Wait()

			checkApplied(t, dir, tc.wantTwiceOf)
			st := openStore(t, filepath.Join(dir, "store.db"))
			defer func() { _ = st.Close() }()
			if keys, err := st.Keys(testBucket); err != nil || len(keys) != 0 {
				t.Fatalf("outbox after draining holds %v (%v)", keys, err)
			}
		})
	}
}

// checkApplied checks applied.log: every job applied, in enqueue order, each once except
// twiceOf, the one in flight at the kill, which follows itself ("?": any one job, or none,
// since the kill may land anywhere).
func checkApplied(t *testing.T, dir, twiceOf string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "applied.log"))
	if err != nil {
		t.Fatal(err)
	}
	applied := strings.Fields(string(data))
	if got, want := slices.Compact(slices.Clone(applied)), keysOf(workJobs()); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want each of %v in order", applied, want)
	}
	var twice []string
	for i := 1; i < len(applied); i++ {
		if applied[i] == applied[i-1] {
			twice = append(twice, applied[i])
		}
	}
	switch {
	case twiceOf == "?" && len(twice) <= 1:
	case twiceOf == "" && len(twice) == 0:
	case len(twice) == 1 && twice[0] == twiceOf:
	default:
		t.Fatalf("applied again: %v, want only %q", twice, twiceOf)
	}
}

func TestKilledWhileEnqueueingLeavesWholeJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const reports = 40
	dir := t.TempDir()
	c := startChild(t, dir, childRoleEnv+"=enqueue")
	last := -1
	for last < reports-1 {
		n, err := strconv.Atoi(c.next(t))
		if err != nil || n != last+1 {
			t.Fatalf("child reported %d after %d (%v)", n, last, err)
		}
		last = n
	}
	c.kill(t)

	st := openStore(t, filepath.Join(dir, "store.db"))
	defer func() { _ = st.Close() }()
	o := New(st, testBucket, Options{})
	if bad, err := o.Unreadable(); err != nil || len(bad) != 0 {
		t.Fatalf("after the kill: unreadable %v (%v)", bad, err)
	}
	jobs := mustList(t, o)
	var enqueued []string
	same := -1
	for _, j := range jobs {
		i := checkPayload(t, j.Key, j.Payload)
		switch {
		case j.Key == "same":
			same = i
		case j.Key != enqueueJob(i).Key:
			t.Fatalf("job %s holds the payload of %d", j.Key, i)
		default:
			enqueued = append(enqueued, j.Key)
		}
	}
	// Every reported job is there, and the ones written after the last report the parent
	// read, in an unbroken run and in order.
	if len(enqueued) < reports {
		t.Fatalf("%d jobs survived, want at least the %d reported", len(enqueued), reports)
	}
	for i, key := range enqueued {
		if key != enqueueJob(i).Key {
			t.Fatalf("job %d in run order is %s, want %s", i, key, enqueueJob(i).Key)
		}
	}
	// "same" was last replaced with the payload of the last enqueued job, or of the one
	// before if the kill came between the two writes.
	if n := len(enqueued); same != n-1 && same != n-2 {
		t.Fatalf("job same holds payload %d after %d jobs", same, n)
	}
	if jobs[0].Key != "e000000" || jobs[1].Key != "same" {
		t.Fatalf("run order starts %v, want e000000 then same (first enqueued second)", keysOf(jobs[:2]))
	}
	rec := &recorder{}
	if done := runDue(t, o, rec.handlers()); done != len(jobs) {
		t.Fatalf("drained %d of %d jobs", done, len(jobs))
	}
}
