package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestAcknowledgedRegistrationsSurviveKill9 registers accounts over HTTP from
// several clients, kills the server with SIGKILL while they are writing,
// starts it again on the same data directory and checks that every
// registration that was answered 201 is there.
func TestAcknowledgedRegistrationsSurviveKill9(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	const stewardEmail, stewardPassword = "steward@example.org", "a steward's long passphrase 1"
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "--addr", addr, "--data-dir", dir, "--log-level", "error",
			"--bootstrap-admin-email", stewardEmail, "--bootstrap-admin-password", stewardPassword)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, addr)
		return cmd
	}
	cmd := start()

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				email := fmt.Sprintf("writer%d-%d@example.org", w, i)
				body, _ := json.Marshal(map[string]string{"email": email, "password": "a long and unusual passphrase 7", "display_name": "Writer"})
				resp, err := client.Post("http://"+addr+"/api/v1/auth/register", "application/json", bytes.NewReader(body))
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					mu.Lock()
					acked = append(acked, email)
					mu.Unlock()
				}
			}
		}()
	}
	// Kill once a fair number of writes are acknowledged and more are in
	// flight (password hashing makes each registration take a while).
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20 {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no registration was acknowledged before the kill")
	}

	cmd = start()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	token := login(t, addr, stewardEmail, stewardPassword)
	stored := map[string]bool{}
	after := ""
	for {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/users?limit=500&after="+url.QueryEscape(after), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Accounts []struct {
				Email string `json:"email"`
			} `json:"accounts"`
			NextCursor string `json:"next_cursor"`
		}
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		for _, a := range page.Accounts {
			stored[a.Email] = true
		}
		if page.NextCursor == "" {
			break
		}
		after = page.NextCursor
	}
	for _, e := range acked {
		if !stored[e] {
			t.Errorf("registration of %s was acknowledged with 201 but is missing after kill -9", e)
		}
	}
	t.Logf("%d registrations acknowledged before kill -9, all present after restart", len(acked))
}

func waitReady(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("server not ready after 20s")
}

func login(t *testing.T, addr, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&s)
	if resp.StatusCode != 200 || s.AccessToken == "" {
		t.Fatalf("login as %s: status %d", email, resp.StatusCode)
	}
	return s.AccessToken
}
