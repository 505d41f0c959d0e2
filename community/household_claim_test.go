package community

import (
	"bytes"
	"strings"
	"testing"
)

func TestClaimCodes(t *testing.T) {
	code, err := newClaimCode(bytes.NewReader(bytes.Repeat([]byte{0, 1, 31, 32 + 18}, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if code != "01ZJ-01ZJ-01ZJ" {
		t.Fatalf("code = %q", code)
	}
	want := claimCodeHash(code)
	for _, typed := range []string{"01zj01zj01zj", "O1ZJ-olzj-0IZJ", " 01ZJ 01ZJ 01ZJ "} {
		if got := claimCodeHash(typed); got != want {
			t.Errorf("claimCodeHash(%q) differs from the code's", typed)
		}
	}
	for _, bad := range []string{"", "01ZJ-01ZJ-01Z", "01ZJ-01ZJ-01ZJ-0", "01ZU-01ZJ-01ZJ", "01ZJ_01ZJ_01ZJ", strings.Repeat("0", 1000)} {
		if got := claimCodeHash(bad); got != "" {
			t.Errorf("claimCodeHash(%q) = %q, want none", bad, got)
		}
	}
	if _, err := newClaimCode(bytes.NewReader(nil)); err == nil {
		t.Error("a code was made without randomness")
	}
}
