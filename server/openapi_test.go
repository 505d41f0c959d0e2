package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"commonground/auth"
	"commonground/fundpool"
	"commonground/server"
	"commonground/service/servicetest"
)

type openAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Paths   map[string]map[string]openAPIOperation `json:"paths"`
}

type openAPIOperation struct {
	OperationID string `json:"operationId"`
	RequestBody *struct {
		Content map[string]struct {
			Example json.RawMessage `json:"example"`
		} `json:"content"`
	} `json:"requestBody"`
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// documented reports whether a registered route belongs in the document:
// the API and the operations endpoints, not the web app's files.
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(server.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("the OpenAPI document is not valid JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}

	env := servicetest.Start(t)
	registered := map[string]bool{}
	for _, r := range env.Service.Server.App().GetRoutes(true) {
		if r.Method == http.MethodHead || !documented(r.Path) {
			continue
		}
		registered[r.Method+" "+fiberParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range registered {
		if !inDoc[k] {
			missing = append(missing, k)
		}
	}
	for k := range inDoc {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json lists routes that do not exist:\n  %s", strings.Join(extra, "\n  "))
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	env := servicetest.Start(t)
	r := env.Do(t, "GET", "/api/v1/openapi.json", nil)
	if r.Status != 200 || string(r.Body) != string(server.OpenAPIDocument()) {
		t.Fatalf("GET /api/v1/openapi.json = %d, body differs from the embedded document", r.Status)
	}
}

// TestOpenAPIExamplesAreAccepted sends every request body example in the
// document to its route, so a newcomer can try any route from the document.
func TestOpenAPIExamplesAreAccepted(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(server.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	env := servicetest.Start(t)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.RequestBody == nil {
				continue
			}
			key := strings.ToUpper(method) + " " + path
			t.Run(key, func(t *testing.T) {
				var example json.RawMessage
				var mediaType string
				for mt, c := range op.RequestBody.Content {
					if len(c.Example) > 0 {
						example, mediaType = c.Example, mt
					}
				}
				if example == nil {
					t.Fatalf("%s has a request body without an example", key)
				}
				prepare, ok := examplePreparers[key]
				if !ok && strings.Contains(path, "{") {
					t.Fatalf("%s has path parameters: add a preparer to examplePreparers", key)
				}
				target, headers := path, []string{"Content-Type", mediaType}
				if ok {
					var extra []string
					target, extra = prepare(t, env)
					headers = append(headers, extra...)
				}
				body := []byte(example)
				var text string
				if !strings.Contains(mediaType, "json") && json.Unmarshal(example, &text) == nil {
					// A text example (a CSV file) is a JSON string in the document.
					body = []byte(text)
				}
				r := env.Do(t, strings.ToUpper(method), target, body, headers...)
				if r.Status >= 400 {
					t.Fatalf("example rejected: %d %s", r.Status, r.Body)
				}
			})
		}
	}
}

// examplePreparers make what an example needs (objects its path names,
// credentials) and return the concrete path and extra request headers.
var examplePreparers = map[string]func(t *testing.T, env *servicetest.Env) (path string, headers []string){
	"POST /api/v1/auth/login": func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, err := env.Service.Auth.Register(context.Background(), auth.Registration{
			Email: "steward@example.org", Password: "a steward's long passphrase 1", DisplayName: "Steward"}, auth.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return "/api/v1/auth/login", nil
	},
	"POST /api/v1/auth/refresh": withExampleRefreshToken("/api/v1/auth/refresh", "mWr3cwCaqjh__lU1Y0Ti0JmEW5jdoFiNfl9EmUysOvU"),
	"POST /api/v1/auth/logout":  withExampleRefreshToken("/api/v1/auth/logout", "ZXhhbXBsZSBsb2dvdXQgdG9rZW4sIDMyIGJ5dGVzISE"),
	"PATCH /api/v1/me": func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, token := env.Account(t)
		return "/api/v1/me", servicetest.Bearer(token)
	},
	"POST /api/v1/parcels":        asOrganizer("/api/v1/parcels"),
	"POST /api/v1/parcels/import": asOrganizer("/api/v1/parcels/import"),
	"POST /api/v1/hazards/import": asOrganizer("/api/v1/hazards/import"),
	"POST /api/v1/matches":        asOrganizer("/api/v1/matches"),
	"PATCH /api/v1/parcels/{id}": func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, token := env.Account(t, auth.RoleOrganizer)
		r := env.Do(t, "POST", "/api/v1/parcels", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[-122.8,42.25],[-122.79,42.25],[-122.79,42.26],[-122.8,42.25]]]}}`, servicetest.Bearer(token)...)
		var f struct{ ID string }
		r.JSON(t, &f)
		return "/api/v1/parcels/" + f.ID, servicetest.Bearer(token)
	},
	"PUT /api/v1/users/{id}/roles": func(t *testing.T, env *servicetest.Env) (string, []string) {
		id, _ := env.Account(t)
		_, steward := env.Account(t, auth.RoleSteward)
		return "/api/v1/users/" + id + "/roles", servicetest.Bearer(steward)
	},
	"POST /api/v1/campaigns": func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, token := env.Account(t, auth.RoleOrganizer)
		return "/api/v1/campaigns", servicetest.Bearer(token)
	},
	"PATCH /api/v1/campaigns/{id}":              exampleCampaign("example-patch", "", ""),
	"POST /api/v1/campaigns/{id}/transitions":   exampleCampaign("example-open", "", "/transitions"),
	"POST /api/v1/campaigns/{id}/pledges":       exampleCampaign("example-pledges", fundpool.StatusOpen, "/pledges"),
	"POST /api/v1/campaigns/{id}/grants":        exampleCampaign("example-grants", fundpool.StatusOpen, "/grants"),
	"POST /api/v1/campaigns/{id}/loans":         exampleCampaign("example-loans", fundpool.StatusOpen, "/loans"),
	"POST /api/v1/campaigns/{id}/receipts":      exampleCampaign("example-receipts", fundpool.StatusOpen, "/receipts"),
	"POST /api/v1/campaigns/{id}/disbursements": exampleCampaign("example-disbursements", fundpool.StatusOpen, "/disbursements"),
	"POST /api/v1/campaigns/{id}/pledges/{pledge_id}/cancel": examplePledged("example-cancel", func(pledgeID, _ string) string {
		return "/pledges/" + pledgeID + "/cancel"
	}),
	"POST /api/v1/campaigns/{id}/ledger/{transaction_id}/reversal": examplePledged("example-reversal", func(_, txID string) string {
		return "/ledger/" + txID + "/reversal"
	}),
	"PUT /api/v1/users/{id}/disabled": func(t *testing.T, env *servicetest.Env) (string, []string) {
		id, _ := env.Account(t)
		_, steward := env.Account(t, auth.RoleSteward)
		return "/api/v1/users/" + id + "/disabled", servicetest.Bearer(steward)
	},
}

// withExampleRefreshToken stores a live refresh token equal to the one in the
// document's example, so that the example is accepted as written.
func withExampleRefreshToken(path, example string) func(t *testing.T, env *servicetest.Env) (string, []string) {
	return func(t *testing.T, env *servicetest.Env) (string, []string) {
		id, _ := env.Account(t)
		hash, err := auth.HashRefreshToken(example)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		err = env.Service.Auth.Store.CreateRefreshToken(context.Background(), &auth.RefreshToken{
			Hash: hash, FamilyID: "example-family-" + path, AccountID: id, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			t.Fatal(err)
		}
		return path, nil
	}
}

// asOrganizer sends the example as an organizer.
func asOrganizer(path string) func(t *testing.T, env *servicetest.Env) (string, []string) {
	return func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, token := env.Account(t, auth.RoleOrganizer)
		return path, servicetest.Bearer(token)
	}
}

// exampleCampaign makes a keep-what-you-raise campaign id in status (a
// draft when ""), with a pledge paid in full under the key the receipts
// example names, and sends the example as an organizer with a fresh
// Idempotency-Key to the campaign's path plus suffix.
func exampleCampaign(id string, status fundpool.Status, suffix string) func(t *testing.T, env *servicetest.Env) (string, []string) {
	return func(t *testing.T, env *servicetest.Env) (string, []string) {
		token, pl, _ := makeExampleCampaign(t, env, id, status)
		if status == fundpool.StatusOpen && id != "example-receipts" {
			if _, err := env.Service.Funds.Receive(context.Background(), "example-receipt", id, fundpool.SourcePledge, pl.ID, pl.Amount); err != nil {
				t.Fatal(err)
			}
		}
		return "/api/v1/campaigns/" + id + suffix, append(servicetest.Bearer(token), "Idempotency-Key", "example-"+id)
	}
}

// examplePledged makes an open campaign id with one pledge outstanding and
// sends the example as an organizer, with a fresh Idempotency-Key, to the
// path that path names from the pledge and its pledge_made transaction.
func examplePledged(id string, path func(pledgeID, txID string) string) func(t *testing.T, env *servicetest.Env) (string, []string) {
	return func(t *testing.T, env *servicetest.Env) (string, []string) {
		token, pl, tx := makeExampleCampaign(t, env, id, fundpool.StatusOpen)
		return "/api/v1/campaigns/" + id + path(pl.ID, tx.ID), append(servicetest.Bearer(token), "Idempotency-Key", "example-"+id)
	}
}

// makeExampleCampaign makes a keep-what-you-raise campaign id in status (a
// draft when ""); an open one gets a pledge. It returns an organizer's token.
func makeExampleCampaign(t *testing.T, env *servicetest.Env, id string, status fundpool.Status) (string, fundpool.Pledge, fundpool.Transaction) {
	t.Helper()
	ctx := context.Background()
	funds := env.Service.Funds
	orgID, token := env.Account(t, auth.RoleOrganizer)
	c := fundpool.Campaign{ID: id, Title: fundpool.Text{En: "Example"}, Mode: fundpool.KeepWhatYouRaise,
		Budget:   []fundpool.BudgetLine{{Category: fundpool.BudgetLandPrice, Amount: fundpool.Money{Amount: 10_000_000, Currency: "USD"}}},
		Target:   fundpool.Money{Amount: 10_000_000, Currency: "USD"},
		Deadline: time.Now().Add(24 * time.Hour)}
	if _, err := funds.CreateCampaign(ctx, fundpool.Actor{ID: orgID, Role: fundpool.RoleOrganizer}, c); err != nil {
		t.Fatal(err)
	}
	if status != fundpool.StatusOpen {
		return token, fundpool.Pledge{}, fundpool.Transaction{}
	}
	if _, err := funds.TransitionCampaign(ctx, id, status); err != nil {
		t.Fatal(err)
	}
	pl, tx, err := funds.Pledge(ctx, "example-pledge", fundpool.Pledge{CampaignID: id, Amount: fundpool.Money{Amount: 200_000, Currency: "USD"},
		Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "Example"}})
	if err != nil {
		t.Fatal(err)
	}
	return token, pl, tx
}
