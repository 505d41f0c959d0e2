package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(config) string
		wantErr string
	}{
		{name: "defaults", check: func(c config) string {
			if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.MongoURI != "" || c.MongoDatabase != "commonground" || c.LogFormat != "text" {
				return fmt.Sprintf("%+v", c)
			}
			return ""
		}},
		{name: "env", env: map[string]string{"COMMONGROUND_ADDR": "0.0.0.0:9000", "COMMONGROUND_LOG_FORMAT": "json"}, check: func(c config) string {
			if c.Addr != "0.0.0.0:9000" || c.LogFormat != "json" {
				return fmt.Sprintf("%+v", c)
			}
			return ""
		}},
		{name: "flag wins over env", args: []string{"--addr", "127.0.0.1:7000"}, env: map[string]string{"COMMONGROUND_ADDR": "0.0.0.0:9000"}, check: func(c config) string {
			if c.Addr != "127.0.0.1:7000" {
				return c.Addr
			}
			return ""
		}},
		{name: "invalid addr", env: map[string]string{"COMMONGROUND_ADDR": "not-an-address"}, wantErr: "invalid COMMONGROUND_ADDR (from COMMONGROUND_ADDR)"},
		{name: "port out of range", args: []string{"--addr=:70000"}, wantErr: "invalid COMMONGROUND_ADDR (from --addr)"},
		{name: "bad log level", env: map[string]string{"COMMONGROUND_LOG_LEVEL": "loud"}, wantErr: "COMMONGROUND_LOG_LEVEL"},
		{name: "bad log format", args: []string{"--log-format", "xml"}, wantErr: "COMMONGROUND_LOG_FORMAT"},
		{name: "bad mongodb uri", env: map[string]string{"COMMONGROUND_MONGODB_URI": "postgres://x"}, wantErr: "COMMONGROUND_MONGODB_URI"},
		{name: "bad database", args: []string{"--mongodb-database", "a/b"}, wantErr: "COMMONGROUND_MONGODB_DATABASE"},
		{name: "bad cors origin", args: []string{"--cors-origins", "https://ok.example,javascript:alert(1)"}, wantErr: "COMMONGROUND_CORS_ORIGINS"},
		{name: "unknown flag", args: []string{"--colour"}, wantErr: "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, env(tt.env), &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(got); msg != "" {
				t.Errorf("unexpected config: %s", msg)
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	code := run(context.Background(), []string{"--help"}, env(nil), &out, &out)
	if code != 0 {
		t.Fatalf("--help exit code %d", code)
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), "--"+s.name) || !strings.Contains(out.String(), s.envName()) {
			t.Errorf("--help does not list %s / %s", s.name, s.envName())
		}
	}
}

func TestSecretsAreMaskedInTheStartLog(t *testing.T) {
	c, err := parseConfig(nil, env(map[string]string{"COMMONGROUND_MONGODB_URI": "mongodb://app:hunter2@db.example:27017/"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(c.logValues()...); strings.Contains(s, "hunter2") {
		t.Fatalf("start log shows the password: %s", s)
	}
}

func TestInvalidSettingExitsWithCode2(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), nil, env(map[string]string{"COMMONGROUND_ADDR": "bad"}), &bytes.Buffer{}, &stderr)
	if code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 || !strings.Contains(stderr.String(), "COMMONGROUND_ADDR") {
		t.Fatalf("stderr %q, want one line naming the setting", stderr.String())
	}
}

func TestUnwritableDataDirIsAClearStartError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--data-dir", file}, env(nil), &bytes.Buffer{}, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "database directory") {
		t.Fatalf("exit %d, stderr %q; want 1 and a message about the database directory", code, stderr.String())
	}
}

// buildBinary compiles the command once per test binary.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "commonground")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startBinary starts the command and waits until /readyz answers 200.
func startBinary(t testing.TB, bin, addr, dataDir string) (*exec.Cmd, time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, "--addr", addr, "--data-dir", dataDir, "--log-level", "error")
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, time.Since(start)
			}
		}
		if time.Since(start) > 20*time.Second {
			cmd.Process.Kill()
			t.Fatalf("not ready after 20s: %v", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd, ready := startBinary(t, bin, addr, dir)
	t.Logf("ready after %v", ready)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("did not stop within 15s of SIGTERM")
	}
	// The same data directory starts again.
	cmd, _ = startBinary(t, bin, addr, dir)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
}

// BenchmarkColdStart measures start-up to the first 200 from /readyz with a
// fresh embedded store, the build excluded.
func BenchmarkColdStart(b *testing.B) {
	bin := buildBinary(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		addr := freeAddr(b)
		b.StartTimer()
		cmd, _ := startBinary(b, bin, addr, dir)
		b.StopTimer()
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		b.StartTimer()
	}
}
