package server_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"commonground/auth"
	"commonground/service"
	"commonground/service/servicetest"
)

type session struct {
	Account struct {
		ID     string   `json:"id"`
		Email  string   `json:"email"`
		Roles  []string `json:"roles"`
		Locale string   `json:"locale"`
	} `json:"account"`
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

func register(t *testing.T, env *servicetest.Env, email string) session {
	t.Helper()
	r := env.Do(t, "POST", "/api/v1/auth/register", map[string]any{
		"email": email, "password": "a long and unusual passphrase 7", "display_name": "Rosa", "locale": "es",
	})
	if r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var s session
	r.JSON(t, &s)
	return s
}

func TestRegisterLoginMe(t *testing.T) {
	env := servicetest.Start(t)
	s := register(t, env, "  Rosa.Mendez@Example.org ")
	if s.Account.Email != "rosa.mendez@example.org" || s.Account.Locale != "es" || s.TokenType != "Bearer" || s.RefreshToken == "" {
		t.Fatalf("unexpected session: %+v", s)
	}
	if len(s.Account.Roles) != 1 || s.Account.Roles[0] != "resident" {
		t.Errorf("roles = %v, want [resident]", s.Account.Roles)
	}
	me := env.Do(t, "GET", "/api/v1/me", nil, servicetest.Bearer(s.AccessToken)...)
	if me.Status != 200 || !strings.Contains(string(me.Body), `"email":"rosa.mendez@example.org"`) {
		t.Fatalf("GET /me = %d %s", me.Status, me.Body)
	}
	if strings.Contains(string(me.Body), "password") {
		t.Fatalf("GET /me shows password material: %s", me.Body)
	}

	login := env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "ROSA.MENDEZ@example.org", "password": "a long and unusual passphrase 7"})
	if login.Status != 200 {
		t.Fatalf("login = %d %s", login.Status, login.Body)
	}

	dup := env.Do(t, "POST", "/api/v1/auth/register", map[string]string{"email": "rosa.mendez@example.org", "password": "another long passphrase 99", "display_name": "x"})
	dup.WantProblem(t, 409)
}

func TestRegistrationRejectsBadInput(t *testing.T) {
	env := servicetest.Start(t)
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"email as an object", `{"email":{"$gt":""},"password":"a long and unusual passphrase 7","display_name":"x"}`, 400, "email"},
		{"email as an array", `{"email":["a@b.org"],"password":"a long and unusual passphrase 7","display_name":"x"}`, 400, "email"},
		{"short password", `{"email":"a@example.org","password":"short","display_name":"x"}`, 422, "password"},
		{"common password", `{"email":"a@example.org","password":"1QAZ2wsx3edc","display_name":"x"}`, 422, "password"},
		{"bad email", `{"email":"not-an-email","password":"a long and unusual passphrase 7","display_name":"x"}`, 422, "email"},
		{"bad locale", `{"email":"a@example.org","password":"a long and unusual passphrase 7","display_name":"x","locale":"fr"}`, 422, "locale"},
		{"unknown field", `{"email":"a@example.org","password":"a long and unusual passphrase 7","display_name":"x","role":"steward"}`, 400, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.Do(t, "POST", "/api/v1/auth/register", tt.body).WantProblem(t, tt.status)
			if !p.HasField(tt.field) {
				t.Errorf("problem does not name %q: %+v", tt.field, p)
			}
		})
	}
	// Nothing was stored: the steward list has only accounts made on purpose.
	_, steward := env.Account(t, auth.RoleSteward)
	r := env.Do(t, "GET", "/api/v1/users", nil, servicetest.Bearer(steward)...)
	var list struct {
		Accounts []json.RawMessage `json:"accounts"`
	}
	r.JSON(t, &list)
	if len(list.Accounts) != 1 {
		t.Fatalf("%d accounts stored after refused registrations, want 1 (the steward)", len(list.Accounts))
	}
}

func TestLoginFailuresLookAlikeAndAreThrottled(t *testing.T) {
	env := servicetest.Start(t)
	register(t, env, "ana@example.org")
	unknown := env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.org", "password": "whatever whatever"}).WantProblem(t, 401)
	wrong := env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "ana@example.org", "password": "whatever whatever"}).WantProblem(t, 401)
	if unknown.Detail != wrong.Detail {
		t.Errorf("unknown email and wrong password answer differently: %q vs %q", unknown.Detail, wrong.Detail)
	}
	var last *servicetest.Response
	for i := 0; i < 6; i++ {
		last = env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "ana@example.org", "password": "still the wrong one"})
	}
	last.WantProblem(t, 429)
	if last.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	env := servicetest.Start(t)
	s := register(t, env, "luis@example.org")
	first := env.Do(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": s.RefreshToken})
	if first.Status != 200 {
		t.Fatalf("refresh = %d %s", first.Status, first.Body)
	}
	var s2 session
	first.JSON(t, &s2)
	if s2.RefreshToken == "" || s2.RefreshToken == s.RefreshToken {
		t.Fatal("refresh did not rotate the token")
	}
	// The old token again: the whole family is revoked, the newest token too.
	env.Do(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": s.RefreshToken}).WantProblem(t, 401)
	env.Do(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": s2.RefreshToken}).WantProblem(t, 401)

	_, steward := env.Account(t, auth.RoleSteward)
	audit := env.Do(t, "GET", "/api/v1/audit?kind=refresh_reuse", nil, servicetest.Bearer(steward)...)
	if audit.Status != 200 || !strings.Contains(string(audit.Body), `"kind":"refresh_reuse"`) {
		t.Fatalf("refresh reuse not audited: %d %s", audit.Status, audit.Body)
	}
}

func TestBrowserSessionUsesCookie(t *testing.T) {
	env := servicetest.Start(t)
	register(t, env, "maria@example.org")
	r := env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "maria@example.org", "password": "a long and unusual passphrase 7", "refresh_in": "cookie"})
	if r.Status != 200 {
		t.Fatalf("login = %d %s", r.Status, r.Body)
	}
	var s session
	r.JSON(t, &s)
	if s.RefreshToken != "" {
		t.Fatal("cookie session also put the refresh token in the body")
	}
	cookie := r.Header.Get("Set-Cookie")
	for _, want := range []string{"cg_refresh=", "httponly", "secure", "samesite=strict", "path=/api/v1/auth"} {
		if !strings.Contains(strings.ToLower(cookie), want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	value := strings.SplitN(strings.SplitN(cookie, ";", 2)[0], "=", 2)[1]
	again := env.Do(t, "POST", "/api/v1/auth/refresh", nil, "Cookie", "cg_refresh="+value)
	if again.Status != 200 || !strings.Contains(again.Header.Get("Set-Cookie"), "cg_refresh=") {
		t.Fatalf("cookie refresh = %d %s", again.Status, again.Body)
	}
	out := env.Do(t, "POST", "/api/v1/auth/logout", nil, "Cookie", again.Header.Get("Set-Cookie"))
	if out.Status != 204 {
		t.Fatalf("logout = %d", out.Status)
	}
}

func TestPasswordChangeRevokesOtherSessions(t *testing.T) {
	env := servicetest.Start(t)
	a := register(t, env, "pat@example.org")
	other := env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "pat@example.org", "password": "a long and unusual passphrase 7"})
	var b session
	other.JSON(t, &b)

	bad := env.Do(t, "PATCH", "/api/v1/me", map[string]string{"current_password": "wrong wrong wrong", "new_password": "a brand new passphrase 8"}, servicetest.Bearer(a.AccessToken)...)
	bad.WantProblem(t, 422)

	ok := env.Do(t, "PATCH", "/api/v1/me", map[string]string{"current_password": "a long and unusual passphrase 7", "new_password": "a brand new passphrase 8", "refresh_token": a.RefreshToken, "display_name": "Pat"}, servicetest.Bearer(a.AccessToken)...)
	if ok.Status != 200 || !strings.Contains(string(ok.Body), `"display_name":"Pat"`) {
		t.Fatalf("PATCH /me = %d %s", ok.Status, ok.Body)
	}
	env.Do(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": b.RefreshToken}).WantProblem(t, 401)
	if r := env.Do(t, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": a.RefreshToken}); r.Status != 200 {
		t.Fatalf("the session that changed the password was ended: %d %s", r.Status, r.Body)
	}
	env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "pat@example.org", "password": "a long and unusual passphrase 7"}).WantProblem(t, 401)
}

// TestRoleMatrix checks who may call each identity route.
func TestRoleMatrix(t *testing.T) {
	env := servicetest.Start(t)
	targetID, _ := env.Account(t)
	_, resident := env.Account(t)
	_, organizer := env.Account(t, auth.RoleOrganizer)
	_, steward := env.Account(t, auth.RoleSteward)
	callers := map[string]string{"anonymous": "", "resident": resident, "organizer": organizer, "steward": steward}
	routes := []struct {
		method, path string
		body         any
		want         map[string]int
	}{
		{"GET", "/api/v1/me", nil, map[string]int{"anonymous": 401, "resident": 200, "organizer": 200, "steward": 200}},
		{"GET", "/api/v1/users", nil, map[string]int{"anonymous": 401, "resident": 404, "organizer": 404, "steward": 200}},
		{"GET", "/api/v1/audit", nil, map[string]int{"anonymous": 401, "resident": 404, "organizer": 404, "steward": 200}},
		{"PUT", "/api/v1/users/" + targetID + "/roles", map[string]any{"roles": []string{"organizer"}}, map[string]int{"anonymous": 401, "resident": 404, "organizer": 404, "steward": 200}},
		{"PUT", "/api/v1/users/" + targetID + "/disabled", map[string]any{"disabled": false}, map[string]int{"anonymous": 401, "resident": 404, "organizer": 404, "steward": 200}},
		{"GET", "/api/v1/auth/jwks.json", nil, map[string]int{"anonymous": 200, "resident": 200, "organizer": 200, "steward": 200}},
	}
	for _, rt := range routes {
		for who, token := range callers {
			t.Run(rt.method+" "+rt.path+" as "+who, func(t *testing.T) {
				var headers []string
				if token != "" {
					headers = servicetest.Bearer(token)
				}
				r := env.Do(t, rt.method, rt.path, rt.body, headers...)
				if r.Status != rt.want[who] {
					t.Fatalf("status %d, want %d: %s", r.Status, rt.want[who], r.Body)
				}
				if r.Status == 401 && r.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
	}
}

func TestStewardChangesRolesAndAuditsIt(t *testing.T) {
	env := servicetest.Start(t)
	targetID, _ := env.Account(t)
	stewardID, steward := env.Account(t, auth.RoleSteward)
	r := env.Do(t, "PUT", "/api/v1/users/"+targetID+"/roles", map[string]any{"roles": []string{"organizer"}}, servicetest.Bearer(steward)...)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"organizer"`) {
		t.Fatalf("set roles = %d %s", r.Status, r.Body)
	}
	env.Do(t, "PUT", "/api/v1/users/"+targetID+"/roles", map[string]any{"roles": []string{"king"}}, servicetest.Bearer(steward)...).WantProblem(t, 422)
	env.Do(t, "PUT", "/api/v1/users/no-such-id/roles", map[string]any{"roles": []string{"organizer"}}, servicetest.Bearer(steward)...).WantProblem(t, 404)
	a := env.Do(t, "GET", "/api/v1/audit?kind=role_changed&actor_id="+stewardID, nil, servicetest.Bearer(steward)...)
	if !strings.Contains(string(a.Body), targetID) {
		t.Fatalf("role change not in the audit log: %s", a.Body)
	}
	env.Do(t, "GET", "/api/v1/audit?since=yesterday", nil, servicetest.Bearer(steward)...).WantProblem(t, 422)
}

func TestDisabledAccountIsSignedOut(t *testing.T) {
	env := servicetest.Start(t)
	id, token := env.Account(t)
	_, steward := env.Account(t, auth.RoleSteward)
	env.Do(t, "PUT", "/api/v1/users/"+id+"/disabled", map[string]any{"disabled": true}, servicetest.Bearer(steward)...)
	env.Do(t, "GET", "/api/v1/me", nil, servicetest.Bearer(token)...).WantProblem(t, 401)
}

func TestBootstrapSteward(t *testing.T) {
	env := servicetest.Start(t, func(c *service.Config) {
		c.BootstrapAdminEmail = "steward@example.org"
		c.BootstrapAdminPassword = "a steward's long passphrase 1"
	})
	r := env.Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "steward@example.org", "password": "a steward's long passphrase 1"})
	var s session
	r.JSON(t, &s)
	if r.Status != 200 || !strings.Contains(strings.Join(s.Account.Roles, ","), "steward") {
		t.Fatalf("bootstrap steward login = %d %s", r.Status, r.Body)
	}
}

// TestBadTokens sends tokens that lie: each gets a 401 problem with
// WWW-Authenticate, and nothing changes.
func TestBadTokens(t *testing.T) {
	env := servicetest.Start(t)
	id, good := env.Account(t)
	key := env.Service.Auth.Tokens.Keys().Current()
	now := time.Now()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "commonground", "aud": []string{"commonground-api"}, "sub": id,
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "roles": []string{"resident", "steward"}}
		if mod != nil {
			mod(c)
		}
		return c
	}
	sign := func(c jwt.MapClaims, kid string, priv ed25519.PrivateKey) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)

	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	hs.Header["kid"] = key.ID
	hsToken, _ := hs.SignedString([]byte(key.Public))

	// A key rotated out and pruned past its lifetime.
	old := auth.GenerateKeySet(now.Add(-48 * time.Hour))
	oldKey := old.Current()
	oldToken := sign(claims(nil), oldKey.ID, oldKey.Private)

	tokens := map[string]string{
		"alg none":                  none,
		"HS256 with the public key": hsToken,
		"wrong kid":                 sign(claims(nil), "no-such-kid", key.Private),
		"unknown signer, right kid": sign(claims(nil), key.ID, otherPriv),
		"expired":                   sign(claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() }), key.ID, key.Private),
		"wrong issuer":              sign(claims(func(c jwt.MapClaims) { c["iss"] = "someone-else" }), key.ID, key.Private),
		"wrong audience":            sign(claims(func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} }), key.ID, key.Private),
		"retired key past lifetime": oldToken,
		"truncated":                 good[:len(good)-10],
		"100 KB":                    strings.Repeat("a", 100<<10),
		"not a JWT":                 "hello",
	}
	_, steward := env.Account(t, auth.RoleSteward)
	before := env.Do(t, "GET", "/api/v1/users", nil, servicetest.Bearer(steward)...)
	for name, tok := range tokens {
		t.Run(name, func(t *testing.T) {
			r := env.Do(t, "GET", "/api/v1/users", nil, servicetest.Bearer(tok)...)
			r.WantProblem(t, 401)
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
			}
			r = env.Do(t, "PUT", "/api/v1/users/"+id+"/roles", map[string]any{"roles": []string{"steward"}}, servicetest.Bearer(tok)...)
			r.WantProblem(t, 401)
		})
	}
	after := env.Do(t, "GET", "/api/v1/users", nil, servicetest.Bearer(steward)...)
	if string(before.Body) != string(after.Body) {
		t.Fatalf("accounts changed after bad tokens:\nbefore %s\nafter  %s", before.Body, after.Body)
	}
	if r := env.Do(t, "GET", "/api/v1/me", nil, "Authorization", "Basic dXNlcjpwYXNz"); r.Status != http.StatusUnauthorized {
		t.Errorf("Basic auth = %d, want 401", r.Status)
	}
}
