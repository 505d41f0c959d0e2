package fundpool

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"commonground/apperr"
)

// IdempotencyRecord remembers the first response to a request that carried
// an Idempotency-Key, so that a retry gets the same answer and a different
// request with the same key is refused.
type IdempotencyRecord struct {
	Scope       string // who may reuse the key: an account id, or "public"
	Key         string
	Fingerprint string // of the first request, from Fingerprint
	Status      int    // the first response's HTTP status
	Body        []byte // the first response's body
	CreatedAt   time.Time
}

// ValidateIdempotencyKey checks an Idempotency-Key header: 1 to MaxKeyLen
// printable ASCII characters. A missing key is Invalid: every request that
// creates money records must carry one.
func ValidateIdempotencyKey(key string) error {
	if key == "" {
		return apperr.New(apperr.Invalid, "the Idempotency-Key header is required")
	}
	if len(key) > MaxKeyLen || strings.IndexFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return apperr.New(apperr.Invalid, "the Idempotency-Key header must be 1 to %d printable ASCII characters", MaxKeyLen)
	}
	return nil
}

// Fingerprint returns the SHA-256, in hex, of a request's method, route and
// canonical body. A JSON body is canonicalized (object keys sorted, spacing
// dropped, numbers kept as written) so that the same request re-sent by
// another client library matches; any other body counts byte for byte.
// route is the route pattern with its parameters filled in, such as
// "/api/v1/campaigns/c1/pledges".
func Fingerprint(method, route string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(strings.ToUpper(method)))
	h.Write([]byte{0})
	h.Write([]byte(route))
	h.Write([]byte{0})
	h.Write(canonicalJSON(body))
	return hex.EncodeToString(h.Sum(nil))
}

func canonicalJSON(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// Replay decides what to do with a request whose key already has record r:
// nil means return r's stored response; a Conflict means the key was used for
// a different request.
func (r IdempotencyRecord) Replay(fingerprint string) error {
	if r.Fingerprint != fingerprint {
		return apperr.New(apperr.Conflict, "the Idempotency-Key was already used for a different request")
	}
	return nil
}
