package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EStdin pipes an image into `strata analyze -`, and checks that
// what is not a file where one is expected is refused at once, naming it,
// and that SIGTERM stops a read of standard input that never ends.
func TestE2EStdin(t *testing.T) {
	e2eSkipShort(t)
	bin := e2eBinary(t)
	demo, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "demo", "demo.tar"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()

	// e2eStrata runs the binary itself; run the pipeline through sh.
	cmd, cancel := e2eCmd(nil, "sh", "-c", "cat \"$IMG\" | \"$BIN\" analyze - --format json --tmp-dir \"$TMP\"")
	defer cancel()
	cmd.Env = append(os.Environ(), "IMG="+demo, "BIN="+bin, "TMP="+tmp)
	r, err := e2eExecute(cmd)
	if err != nil || r.code != 0 {
		t.Fatalf("cat demo.tar | strata analyze -: %v\n%s", err, r)
	}
	direct := e2eAnalyzeJSON(t, nil, demo)
	var a, b struct {
		Image   struct{ Digest string } `json:"image"`
		Summary struct {
			TotalBytes int64 `json:"totalBytes"`
		} `json:"summary"`
	}
	json.Unmarshal([]byte(r.stdout), &a)
	json.Unmarshal(direct, &b)
	if a.Image.Digest == "" || a.Image.Digest != b.Image.Digest || a.Summary != b.Summary {
		t.Errorf("from stdin %+v, from the file %+v", a, b)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}

	fifo := filepath.Join(tmp, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "/dev/zero"}, "strata: /dev/zero: is a character device, not an image file"},
		{[]string{"analyze", fifo}, "the pipe is empty"},
		{[]string{"ci", demo, "--config", "/dev/zero"}, "/dev/zero: cannot read the configuration: is a character device, not a regular file"},
		{[]string{"ci", demo, "--config", fifo}, "cannot read the configuration: is a named pipe (FIFO), not a regular file"},
		{[]string{"ci", demo, "--baseline", fifo}, "cannot read the baseline: is a named pipe (FIFO), not a regular file"},
		{[]string{"ci", demo, "--dockerfile", "/dev/zero"}, "--dockerfile /dev/zero: is a character device, not a regular file"},
	} {
		start := time.Now()
		r := e2eStrata(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || time.Since(start) > 20*time.Second {
			t.Errorf("strata %s: want exit 2 with %q\n%s", strings.Join(c.args, " "), c.want, r)
		}
	}

	// Standard input that never ends: SIGTERM stops the spooling.
	cmd2 := exec.Command(bin, "analyze", "-q", "-", "--tmp-dir", tmp)
	stdin, err := cmd2.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd2.Stderr = &stderr
	if err := cmd2.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write(make([]byte, 4096))
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	cmd2.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd2.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd2.Process.Kill()
		t.Fatal("strata analyze - ignored SIGTERM")
	}
	if code := cmd2.ProcessState.ExitCode(); code != 130 || time.Since(sent) > 2*time.Second {
		t.Errorf("after SIGTERM: exit %d after %s, want 130 within 2 s\n%s", code, time.Since(sent), stderr.String())
	}
	stdin.Close()
	if left, _ := filepath.Glob(filepath.Join(tmp, "strata-*")); len(left) != 0 {
		t.Errorf("left behind after SIGTERM: %v", left)
	}
}
