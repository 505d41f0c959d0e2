package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func mustRing(t testing.TB, current []byte, older ...[]byte) *Keyring {
	t.Helper()
	r, err := NewKeyring(current, older...)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return r
}

func TestSealOpenRoundTrip(t *testing.T) {
	r := mustRing(t, GenerateKey())
	ad := []byte("household/h1/phone")
	for _, pt := range [][]byte{nil, {}, []byte("541-555-0100"), bytes.Repeat([]byte{0xff}, 4096)} {
		sealed := r.Seal(pt, ad)
		got, err := r.Open(sealed, ad)
		if err != nil {
			t.Fatalf("Open(Seal(%d bytes)): %v", len(pt), err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Open(Seal(x)) = %q, want %q", got, pt)
		}
		if id, err := SealedKeyID(sealed); err != nil || id != r.CurrentID() {
			t.Errorf("SealedKeyID = %q, %v; want %q", id, err, r.CurrentID())
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	r := mustRing(t, GenerateKey())
	a := r.Seal([]byte("same"), nil)
	b := r.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical: nonce reused")
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := GenerateKey(), GenerateKey()
	oldRing := mustRing(t, oldKey)
	sealedOld := oldRing.Seal([]byte("DR-4562-OR"), []byte("ad"))

	rotated := mustRing(t, newKey, oldKey)
	if rotated.CurrentID() != KeyID(newKey) {
		t.Fatalf("CurrentID = %q, want the new key's id %q", rotated.CurrentID(), KeyID(newKey))
	}
	got, err := rotated.Open(sealedOld, []byte("ad"))
	if err != nil || string(got) != "DR-4562-OR" {
		t.Fatalf("rotated ring Open(old value) = %q, %v", got, err)
	}
	if !rotated.NeedsReseal(sealedOld) {
		t.Error("NeedsReseal(value under old key) = false, want true")
	}
	sealedNew := rotated.Seal(got, []byte("ad"))
	if rotated.NeedsReseal(sealedNew) {
		t.Error("NeedsReseal(value under current key) = true, want false")
	}
	if _, err := oldRing.Open(sealedNew, []byte("ad")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old ring Open(new value) error = %v, want ErrUnknownKey", err)
	}
}

func TestOpenRejects(t *testing.T) {
	key := GenerateKey()
	r := mustRing(t, key)
	ad := []byte("household/h1/fema_id")
	good := r.Seal([]byte("secret value"), ad)
	hdr := 2 + len(r.CurrentID())

	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	// A different key that claims the same id: the header names a key the
	// ring holds, but the bytes were sealed under another one.
	impostor := mustRing(t, GenerateKey())
	impostor.aeads[r.CurrentID()] = impostor.aeads[impostor.current]
	impostor.current = r.CurrentID()
	forged := impostor.Seal([]byte("secret value"), ad)

	tests := []struct {
		name   string
		sealed []byte
		ad     []byte
		want   error
	}{
		{"empty", nil, ad, ErrMalformed},
		{"one byte", []byte{1}, ad, ErrMalformed},
		{"unknown version", flip(0), ad, ErrMalformed},
		{"zero id length", append([]byte{1, 0}, good[2:]...), ad, ErrMalformed},
		{"huge id length", append([]byte{1, 200}, good[2:]...), ad, ErrMalformed},
		{"truncated header", good[:hdr], ad, ErrMalformed},
		{"truncated tag", good[:len(good)-tagSize+1], ad, ErrMalformed},
		{"truncated by one", good[:len(good)-1], ad, ErrDecrypt},
		{"unknown key id", flip(2), ad, ErrUnknownKey},
		{"tampered nonce", flip(hdr), ad, ErrDecrypt},
		{"tampered ciphertext", flip(hdr + nonceSize), ad, ErrDecrypt},
		{"tampered tag", flip(len(good) - 1), ad, ErrDecrypt},
		{"other associated data", good, []byte("household/h2/fema_id"), ErrDecrypt},
		{"missing associated data", good, nil, ErrDecrypt},
		{"wrong key with same id", forged, ad, ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Open(tt.sealed, tt.ad)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open() error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("Open() returned plaintext %q with an error", got)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks plaintext", err)
			}
		})
	}
}

// TestOpenNeverPanics opens every prefix and every single-byte corruption of
// a sealed value: each must fail cleanly.
func TestOpenNeverPanics(t *testing.T) {
	r := mustRing(t, GenerateKey())
	good := r.Seal([]byte("a small value"), []byte("ad"))
	for n := 0; n < len(good); n++ {
		if _, err := r.Open(good[:n], []byte("ad")); err == nil {
			t.Fatalf("Open(first %d of %d bytes) succeeded", n, len(good))
		}
	}
	for i := range good {
		for _, v := range []byte{0x00, 0x80, 0xff} {
			b := bytes.Clone(good)
			if b[i] == v {
				continue
			}
			b[i] = v
			if _, err := r.Open(b, []byte("ad")); err == nil {
				t.Fatalf("Open succeeded with byte %d set to %#x", i, v)
			}
		}
	}
}

func TestStringForm(t *testing.T) {
	r := mustRing(t, GenerateKey())
	s := r.SealString("maria@example.org", []byte("ad"))
	if strings.ContainsAny(s, "+/=") {
		t.Errorf("SealString = %q, want unpadded base64url", s)
	}
	got, err := r.OpenString(s, []byte("ad"))
	if err != nil || got != "maria@example.org" {
		t.Fatalf("OpenString = %q, %v", got, err)
	}
	for _, bad := range []string{"", "!!!", s[:len(s)-3], s + "="} {
		if _, err := r.OpenString(bad, []byte("ad")); err == nil {
			t.Errorf("OpenString(%q) succeeded", bad)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := GenerateKey(), GenerateKey()
	std := EncodeKey(k1)
	url := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(EncodeKey(k2)), "=")
	keys, err := ParseKeys(" " + std + ",\n" + url + "\n")
	if err != nil {
		t.Fatalf("ParseKeys: %v", err)
	}
	if len(keys) != 2 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) {
		t.Fatalf("ParseKeys returned %d keys that differ from the input", len(keys))
	}
	r, err := ParseKeyring(std + "," + url)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	if got, want := r.IDs(), []string{KeyID(k1), KeyID(k2)}; got[0] != want[0] || got[1] != want[1] || len(got) != 2 {
		t.Errorf("IDs() = %v, want %v", got, want)
	}

	short := EncodeKey(k1[:16])
	for _, bad := range []string{"", " , ", "not base64!", short, std + "," + short} {
		if _, err := ParseKeys(bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseKeys(%q) error = %v, want ErrBadKey", bad, err)
		}
	}
	if _, err := NewKeyring(k1[:31]); !errors.Is(err, ErrBadKey) {
		t.Errorf("NewKeyring(31 bytes) error = %v, want ErrBadKey", err)
	}
}

func TestKeyIDStableAndDistinct(t *testing.T) {
	k := GenerateKey()
	if KeyID(k) != KeyID(bytes.Clone(k)) {
		t.Error("KeyID differs for equal keys")
	}
	if KeyID(k) == KeyID(GenerateKey()) {
		t.Error("KeyID equal for two random keys")
	}
	if n := len(KeyID(k)); n == 0 || n > maxIDLen {
		t.Errorf("len(KeyID) = %d", n)
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "data.key")
	first, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file permissions = %o, want 600", perm)
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("key directory permissions = %o, want 700", di.Mode().Perm())
	}
	sealed := first.Seal([]byte("v"), nil)

	second, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if second.CurrentID() != first.CurrentID() {
		t.Fatalf("reloaded key id %q, want %q", second.CurrentID(), first.CurrentID())
	}
	if _, err := second.Open(sealed, nil); err != nil {
		t.Fatalf("reloaded ring cannot open: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file", len(entries))
	}
}

func TestLoadOrCreateKeyFileConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := LoadOrCreateKeyFile(path)
			if err != nil {
				t.Errorf("LoadOrCreateKeyFile: %v", err)
				return
			}
			ids[i] = r.CurrentID()
		})
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if ids[i] != ids[0] {
			t.Fatalf("concurrent starts got different keys: %v", ids)
		}
	}
}

func TestLoadKeyFileRejectsGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.key")
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeyFile(path); !errors.Is(err, ErrBadKey) {
		t.Fatalf("error = %v, want ErrBadKey", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "not a key\n" {
		t.Error("a bad key file was overwritten")
	}
}

func BenchmarkSeal(b *testing.B) {
	r := mustRing(b, GenerateKey())
	pt, ad := []byte("DR-4562-OR 1234567890"), []byte("household/h1/fema_id")
	b.ReportAllocs()
	for b.Loop() {
		r.Seal(pt, ad)
	}
}

func BenchmarkOpen(b *testing.B) {
	r := mustRing(b, GenerateKey())
	ad := []byte("household/h1/fema_id")
	sealed := r.Seal([]byte("DR-4562-OR 1234567890"), ad)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Open(sealed, ad); err != nil {
			b.Fatal(err)
		}
	}
}
