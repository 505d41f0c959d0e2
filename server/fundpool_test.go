package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"commonground/auth"
	"commonground/service"
	"commonground/service/servicetest"
)

// fundEnv is a running service with an organizer, a second organizer, a
// steward and a resident, and helpers for the fund pool's routes.
type fundEnv struct {
	*servicetest.Env
	org, org2, steward, resident string // tokens
	orgID                        string
}

func startFunds(t testing.TB, opts ...servicetest.Option) *fundEnv {
	t.Helper()
	env := servicetest.Start(t, opts...)
	f := &fundEnv{Env: env}
	f.orgID, f.org = env.Account(t, auth.RoleOrganizer)
	_, f.org2 = env.Account(t, auth.RoleOrganizer)
	_, f.steward = env.Account(t, auth.RoleSteward)
	_, f.resident = env.Account(t)
	return f
}

var keySeq atomic.Int64

// newKey returns a fresh Idempotency-Key.
func newKey() string { return fmt.Sprintf("key-%d-%d", time.Now().UnixNano(), keySeq.Add(1)) }

// as returns headers sending token (none for "") and, when key is not
// empty, an Idempotency-Key.
func as(token, key string) []string {
	var h []string
	if token != "" {
		h = append(h, servicetest.Bearer(token)...)
	}
	if key != "" {
		h = append(h, "Idempotency-Key", key)
	}
	return h
}

func campaignBody(id, mode string, target int64, deadline time.Time) map[string]any {
	return map[string]any{
		"id":    id,
		"title": map[string]string{"en": "Creekside land", "es": "Terreno junto al arroyo"},
		"budget": []map[string]any{
			{"category": "land_price", "amount": map[string]any{"amount_minor": target - target/10}},
			{"category": "closing_costs", "amount": map[string]any{"amount_minor": target / 10}},
		},
		"target":     map[string]any{"amount_minor": target, "currency": "USD"},
		"deadline":   deadline.UTC().Format(time.RFC3339),
		"mode":       mode,
		"parcel_ids": []string{"parcel-1"},
	}
}

// openCampaign creates and opens a campaign, failing the test otherwise.
func (f *fundEnv) openCampaign(t testing.TB, id, mode string, target int64) {
	t.Helper()
	r := f.Do(t, "POST", "/api/v1/campaigns", campaignBody(id, mode, target, time.Now().Add(30*24*time.Hour)), as(f.org, "")...)
	if r.Status != 201 {
		t.Fatalf("create campaign: %d %s", r.Status, r.Body)
	}
	f.transition(t, id, "open", 200)
}

func (f *fundEnv) transition(t testing.TB, id, status string, want int) {
	t.Helper()
	r := f.Do(t, "POST", "/api/v1/campaigns/"+id+"/transitions", map[string]string{"status": status}, as(f.org, "")...)
	if r.Status != want {
		t.Fatalf("transition %s to %s: %d %s, want %d", id, status, r.Status, r.Body, want)
	}
}

type idResp struct {
	ID            string `json:"id"`
	TransactionID string `json:"transaction_id"`
	State         string `json:"state"`
	Name          string `json:"name"`
	Linked        bool   `json:"linked_to_account"`
	Notice        string `json:"notice"`
}

// post sends a keyed POST and wants status want.
func (f *fundEnv) post(t testing.TB, token, path string, body any, want int) idResp {
	t.Helper()
	r := f.Do(t, "POST", path, body, as(token, newKey())...)
	if r.Status != want {
		t.Fatalf("POST %s: %d %s, want %d", path, r.Status, r.Body, want)
	}
	var out idResp
	if want < 300 {
		r.JSON(t, &out)
	}
	return out
}

func money(minor int64) map[string]any {
	return map[string]any{"amount_minor": minor, "currency": "USD"}
}

func pledgeBody(name string, minor int64, anonymous bool) map[string]any {
	return map[string]any{"pledger": map[string]string{"kind": "person", "name": name}, "amount": money(minor), "anonymous": anonymous}
}

type campaignResp struct {
	Status   string `json:"status"`
	Version  int64  `json:"version"`
	Progress struct {
		Pledged, Awarded, Matched, Received, Disbursed, Committed, Available struct {
			AmountMinor int64 `json:"amount_minor"`
		}
		PercentFunded string `json:"percent_funded"`
		BySource      []struct {
			Kind  string `json:"kind"`
			Count int    `json:"count"`
		} `json:"by_source"`
		Daily []json.RawMessage `json:"daily"`
	} `json:"progress"`
}

func (f *fundEnv) campaign(t testing.TB, id, token string) campaignResp {
	t.Helper()
	r := f.Do(t, "GET", "/api/v1/campaigns/"+id, nil, as(token, "")...)
	if r.Status != 200 {
		t.Fatalf("GET campaign: %d %s", r.Status, r.Body)
	}
	var c campaignResp
	r.JSON(t, &c)
	return c
}

type ledgerEntry struct {
	Seq    int64  `json:"seq"`
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Source struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"source"`
	Explanation string `json:"explanation"`
	Total       struct {
		AmountMinor int64 `json:"amount_minor"`
	} `json:"total"`
}

// ledger reads every page of a campaign's ledger, limit entries at a time.
func (f *fundEnv) ledger(t *testing.T, id, token string, limit int) []ledgerEntry {
	t.Helper()
	var all []ledgerEntry
	cursor := ""
	for range 1000 {
		path := fmt.Sprintf("/api/v1/campaigns/%s/ledger?limit=%d", id, limit)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := f.Do(t, "GET", path, nil, as(token, "")...)
		if r.Status != 200 {
			t.Fatalf("GET ledger: %d %s", r.Status, r.Body)
		}
		var page struct {
			Items      []ledgerEntry `json:"items"`
			NextCursor *string       `json:"next_cursor"`
		}
		r.JSON(t, &page)
		if len(page.Items) > limit {
			t.Fatalf("page of %d entries, limit %d", len(page.Items), limit)
		}
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all
		}
		cursor = *page.NextCursor
	}
	t.Fatal("the ledger's cursor never ends")
	return nil
}

// snapshot is everything the fund pool shows an organizer about a
// campaign, byte for byte: a refused request must leave it unchanged.
func (f *fundEnv) snapshot(t *testing.T, id string) string {
	t.Helper()
	var b bytes.Buffer
	for _, p := range []string{"/ledger?limit=1000", "/pledges", "/disbursements", "/ledger/verify", ""} {
		r := f.Do(t, "GET", "/api/v1/campaigns/"+id+p, nil, as(f.org, "")...)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.Status, r.Body)
		}
		b.Write(r.Body)
	}
	return b.String()
}

func TestCampaignWorkflow(t *testing.T) {
	f := startFunds(t)
	const id = "talent"
	f.openCampaign(t, id, "all_or_nothing", 100_000)

	// Anyone may pledge; a resident's pledge is linked to them.
	anon := f.post(t, "", "/api/v1/campaigns/"+id+"/pledges", pledgeBody("Rosa Hernández", 30_000, true), 201)
	if anon.Linked || anon.Notice == "" || anon.State != "pledged" {
		t.Errorf("anonymous pledge = %+v; want unlinked, pledged, with the notice", anon)
	}
	res := f.post(t, f.resident, "/api/v1/campaigns/"+id+"/pledges", pledgeBody("José López", 20_000, false), 201)
	if !res.Linked {
		t.Errorf("a signed-in resident's pledge is not linked: %+v", res)
	}
	grant := f.post(t, f.org, "/api/v1/campaigns/"+id+"/grants", map[string]any{
		"funder": "FEMA", "program": "Hazard Mitigation Grant Program", "awarded": money(40_000),
		"uses": []string{"land_acquisition"}, "match": map[string]any{"match": 1, "per": 1, "cap": money(5_000)},
	}, 201)
	loan := f.post(t, f.org, "/api/v1/campaigns/"+id+"/loans", map[string]any{"lender": "RVCLF", "amount": money(10_000)}, 201)
	if c := f.campaign(t, id, ""); c.Progress.Committed.AmountMinor != 100_000 || c.Progress.PercentFunded != "100.00" {
		t.Fatalf("progress before funding = %+v", c.Progress)
	}
	f.transition(t, id, "funded", 200)

	// The resident pays in part: the receipt earns FEMA's match up to its cap.
	r := f.Do(t, "POST", "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "pledge", "source_id": res.ID, "amount": money(8_000)}, as(f.org, newKey())...)
	if r.Status != 201 {
		t.Fatalf("receipt: %d %s", r.Status, r.Body)
	}
	var receipt struct {
		Transactions []ledgerEntry `json:"transactions"`
	}
	r.JSON(t, &receipt)
	if len(receipt.Transactions) != 2 || receipt.Transactions[1].Kind != "match_earned" || receipt.Transactions[1].Total.AmountMinor != 5_000 ||
		!strings.Contains(receipt.Transactions[1].Explanation, "cap") {
		t.Fatalf("receipt transactions = %+v; want the receipt and a match of 50.00 cut to the cap", receipt.Transactions)
	}
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "pledge", "source_id": anon.ID, "amount": money(30_000)}, 201)
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "grant", "source_id": grant.ID, "amount": money(45_000)}, 201)
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "loan", "source_id": loan.ID, "amount": money(10_000)}, 201)

	// A disbursement: proposed by one organizer, approved by another.
	d := f.post(t, f.org, "/api/v1/campaigns/"+id+"/disbursements", map[string]any{"amount": money(60_000), "use": "land_acquisition", "payee": "Jackson County Title"}, 201)
	if d.State != "proposed" {
		t.Fatalf("proposal state = %q", d.State)
	}
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/disbursements/"+d.ID+"/approve", nil, 403)
	approved := f.post(t, f.org2, "/api/v1/campaigns/"+id+"/disbursements/"+d.ID+"/approve", nil, 200)
	if approved.State != "posted" || approved.TransactionID == "" {
		t.Fatalf("approved disbursement = %+v; want posted", approved)
	}

	c := f.campaign(t, id, "")
	p := c.Progress
	if p.Pledged.AmountMinor != 50_000 || p.Awarded.AmountMinor != 40_000 || p.Matched.AmountMinor != 5_000 ||
		p.Received.AmountMinor != 93_000 || p.Disbursed.AmountMinor != 60_000 || p.Available.AmountMinor != 33_000 {
		t.Errorf("progress = %+v", p)
	}
	if len(p.Daily) == 0 || len(p.BySource) != 3 {
		t.Errorf("progress lacks its breakdowns: %+v", p)
	}

	// The public ledger hides the anonymous pledger's name; organizers see it.
	public := f.ledger(t, id, "", 3)
	full := f.ledger(t, id, f.org, 1000)
	if len(public) != len(full) || len(full) != 10 {
		t.Fatalf("ledger has %d entries in pages of 3 and %d in one page; want 10", len(public), len(full))
	}
	for i := range public {
		if public[i].Seq != int64(i+1) || public[i].ID != full[i].ID {
			t.Fatalf("paged ledger differs at %d: %+v vs %+v", i, public[i], full[i])
		}
		if public[i].Source.ID == anon.ID {
			if public[i].Source.Name != "Anonymous" || full[i].Source.Name != "Rosa Hernández" {
				t.Errorf("anonymous pledger shown as %q in public and %q to organizers", public[i].Source.Name, full[i].Source.Name)
			}
		}
	}
	r = f.Do(t, "GET", "/api/v1/campaigns/"+id+"/ledger/verify", nil, as(f.steward, "")...)
	var report struct {
		OK           bool `json:"ok"`
		Transactions int  `json:"transactions"`
	}
	r.JSON(t, &report)
	if r.Status != 200 || !report.OK || report.Transactions != 10 {
		t.Errorf("verify = %d %s", r.Status, r.Body)
	}

	r = f.Do(t, "GET", "/api/v1/map/campaigns", nil)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string          `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties struct {
				Status string `json:"status"`
			} `json:"properties"`
		} `json:"features"`
	}
	r.JSON(t, &fc)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/geo+json" || fc.Type != "FeatureCollection" ||
		len(fc.Features) != 1 || fc.Features[0].ID != id || fc.Features[0].Properties.Status != "funded" || string(fc.Features[0].Geometry) != "null" {
		t.Errorf("map = %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
}

func TestCampaignDraftsAndUpdates(t *testing.T) {
	f := startFunds(t)
	r := f.Do(t, "POST", "/api/v1/campaigns", campaignBody("draft-1", "keep_what_you_raise", 50_000, time.Now().Add(time.Hour)), as(f.org, "")...)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	// A draft is the organizers' alone.
	f.Do(t, "GET", "/api/v1/campaigns/draft-1", nil).WantProblem(t, 404)
	f.Do(t, "GET", "/api/v1/campaigns/draft-1/ledger", nil, as(f.resident, "")...).WantProblem(t, 404)
	var list struct {
		Total int `json:"total"`
	}
	f.Do(t, "GET", "/api/v1/campaigns", nil).JSON(t, &list)
	if list.Total != 0 {
		t.Errorf("public list shows %d drafts", list.Total)
	}
	f.Do(t, "GET", "/api/v1/campaigns", nil, as(f.org, "")...).JSON(t, &list)
	if list.Total != 1 {
		t.Errorf("organizer list has %d campaigns, want 1", list.Total)
	}
	patch := map[string]any{"version": 1, "story": map[string]string{"en": "New story", "es": "Nueva historia"}}
	r = f.Do(t, "PATCH", "/api/v1/campaigns/draft-1", patch, as(f.org, "")...)
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	// The same patch again is based on a stale version.
	f.Do(t, "PATCH", "/api/v1/campaigns/draft-1", patch, as(f.org, "")...).WantProblem(t, 409)
	f.transition(t, "draft-1", "open", 200)
	f.transition(t, "draft-1", "completed", 409)
	money := map[string]any{"version": 3, "target": money(60_000)}
	f.Do(t, "PATCH", "/api/v1/campaigns/draft-1", money, as(f.org, "")...).WantProblem(t, 409)
}

func TestFundBadInputsLeaveLedgerUnchanged(t *testing.T) {
	f := startFunds(t)
	const id = "bad"
	f.openCampaign(t, id, "keep_what_you_raise", 100_000)
	grant := f.post(t, f.org, "/api/v1/campaigns/"+id+"/grants", map[string]any{"funder": "FEMA", "awarded": money(20_000), "uses": []string{"infrastructure"}}, 201)
	pl := f.post(t, "", "/api/v1/campaigns/"+id+"/pledges", pledgeBody("Ana", 10_000, false), 201)
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "pledge", "source_id": pl.ID, "amount": money(10_000)}, 201)
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "grant", "source_id": grant.ID, "amount": money(20_000)}, 201)
	prop := f.post(t, f.org, "/api/v1/campaigns/"+id+"/disbursements", map[string]any{"amount": money(5_000), "use": "administration", "payee": "Bookkeeper"}, 201)
	for _, other := range []struct{ id, status string }{{"draft", ""}, {"failed", "failed"}, {"closed", "cancelled"}} {
		r := f.Do(t, "POST", "/api/v1/campaigns", campaignBody(other.id, "all_or_nothing", 1000, time.Now().Add(time.Hour)), as(f.org, "")...)
		if r.Status != 201 {
			t.Fatal(r.Status, string(r.Body))
		}
		if other.status != "" {
			f.transition(t, other.id, "open", 200)
			f.transition(t, other.id, other.status, 200)
		}
	}

	pledges := "/api/v1/campaigns/" + id + "/pledges"
	tests := []struct {
		name, token, path string
		body              any
		key               string // "" sends a fresh key; "-" sends none
		status            int
		field             string
	}{
		{"zero amount", "", pledges, pledgeBody("A", 0, false), "", 422, "amount.amount_minor"},
		{"negative amount", "", pledges, pledgeBody("A", -500, false), "", 422, "amount.amount_minor"},
		{"fractional minor units", "", pledges, `{"pledger":{"kind":"person","name":"A"},"amount":{"amount_minor":1000.5}}`, "", 422, "amount.amount_minor"},
		{"fraction of a cent in dollars", "", pledges, `{"pledger":{"kind":"person","name":"A"},"amount":{"amount":"10.005","currency":"USD"}}`, "", 422, "amount.amount"},
		{"over 10^15 minor units", "", pledges, `{"pledger":{"kind":"person","name":"A"},"amount":{"amount_minor":1000000000000001}}`, "", 422, "amount.amount_minor"},
		{"exponent", "", pledges, `{"pledger":{"kind":"person","name":"A"},"amount":{"amount_minor":1e3}}`, "", 422, "amount.amount_minor"},
		{"other currency", "", pledges, map[string]any{"pledger": map[string]string{"kind": "person", "name": "A"}, "amount": map[string]any{"amount_minor": 100, "currency": "EUR"}}, "", 422, "amount.currency"},
		{"unknown currency", "", pledges, map[string]any{"pledger": map[string]string{"kind": "person", "name": "A"}, "amount": map[string]any{"amount_minor": 100, "currency": "XXX"}}, "", 422, "amount.currency"},
		{"no name", "", pledges, pledgeBody("", 100, false), "", 422, "pledger.name"},
		{"unknown field", "", pledges, `{"pledger":{"kind":"person","name":"A"},"amount":{"amount_minor":100},"tip":5}`, "", 400, "tip"},
		{"draft campaign", "", "/api/v1/campaigns/draft/pledges", pledgeBody("A", 100, false), "", 404, ""},
		{"failed campaign", "", "/api/v1/campaigns/failed/pledges", pledgeBody("A", 100, false), "", 409, ""},
		{"closed campaign", "", "/api/v1/campaigns/closed/pledges", pledgeBody("A", 100, false), "", 409, ""},
		{"missing Idempotency-Key", "", pledges, pledgeBody("A", 100, false), "-", 400, ""},
		{"reused Idempotency-Key", "", pledges, pledgeBody("A", 999, false), "used", 409, ""},
		{"disbursement above the received balance", f.org, "/api/v1/campaigns/" + id + "/disbursements",
			map[string]any{"amount": money(30_001), "use": "infrastructure", "payee": "Excavator Co"}, "", 422, "amount"},
		{"disbursement for a use the money does not allow", f.org, "/api/v1/campaigns/" + id + "/disbursements",
			map[string]any{"amount": money(15_000), "use": "land_acquisition", "payee": "Seller"}, "", 422, "amount"},
		{"proposer approves own disbursement", f.org, "/api/v1/campaigns/" + id + "/disbursements/" + prop.ID + "/approve", nil, "", 403, ""},
		{"receipt above what is outstanding", f.org, "/api/v1/campaigns/" + id + "/receipts",
			map[string]any{"source_kind": "pledge", "source_id": pl.ID, "amount": money(1)}, "", 422, "amount"},
		{"grant with no uses", f.org, "/api/v1/campaigns/" + id + "/grants", map[string]any{"funder": "FEMA", "awarded": money(100)}, "", 422, "uses"},
	}
	// The key that the reuse case sends was first used for another pledge.
	first := f.Do(t, "POST", pledges, pledgeBody("A", 100, false), as("", "used")...)
	if first.Status != 201 {
		t.Fatal(first.Status, string(first.Body))
	}
	before := f.snapshot(t, id)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			switch key {
			case "":
				key = newKey()
			case "-":
				key = ""
			}
			p := f.Do(t, "POST", tc.path, tc.body, as(tc.token, key)...).WantProblem(t, tc.status)
			if tc.field != "" && !p.HasField(tc.field) {
				t.Errorf("problem does not name %s: %+v", tc.field, p)
			}
			if after := f.snapshot(t, id); after != before {
				i := 0
				for i < len(before) && i < len(after) && before[i] == after[i] {
					i++
				}
				t.Errorf("the refused request changed the fund pool from byte %d: %.300s", i, after[i:])
			}
		})
	}

	// A budget whose lines do not sum to the target is refused, and nothing is stored.
	b := campaignBody("unbalanced", "all_or_nothing", 10_000, time.Now().Add(time.Hour))
	b["target"] = money(10_001)
	if p := f.Do(t, "POST", "/api/v1/campaigns", b, as(f.org, "")...).WantProblem(t, 422); !p.HasField("budget") {
		t.Errorf("problem does not name the budget: %+v", p)
	}
	f.Do(t, "GET", "/api/v1/campaigns/unbalanced", nil, as(f.org, "")...).WantProblem(t, 404)
}

func TestPledgeIdempotency(t *testing.T) {
	f := startFunds(t)
	f.openCampaign(t, "idem", "all_or_nothing", 100_000)
	path := "/api/v1/campaigns/idem/pledges"
	body := `{"pledger":{"kind":"person","name":"Carmen"},"amount":{"amount_minor":2500}}`
	first := f.Do(t, "POST", path, body, as("", "k-1")...)
	// The same body, keys reordered and spaced: the same request.
	again := f.Do(t, "POST", path, `{ "amount": {"amount_minor": 2500}, "pledger": {"name": "Carmen", "kind": "person"} }`, as("", "k-1")...)
	if first.Status != 201 || again.Status != 201 || !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry = %d %s, first %d %s", again.Status, again.Body, first.Status, first.Body)
	}
	// The key is the caller's: a signed-in caller's "k-1" is another request.
	other := f.Do(t, "POST", path, body, as(f.resident, "k-1")...)
	if other.Status != 201 || bytes.Equal(other.Body, first.Body) {
		t.Fatalf("another caller's key = %d %s", other.Status, other.Body)
	}
	f.Do(t, "POST", path, strings.Replace(body, "2500", "2600", 1), as("", "k-1")...).WantProblem(t, 409)
	if c := f.campaign(t, "idem", ""); c.Progress.Pledged.AmountMinor != 5000 {
		t.Errorf("pledged = %d, want 5000 (two pledges, the retry counted once)", c.Progress.Pledged.AmountMinor)
	}
}

func TestFundAccess(t *testing.T) {
	f := startFunds(t)
	f.openCampaign(t, "acc", "keep_what_you_raise", 100_000)
	tokens := map[string]string{"anonymous": "", "resident": f.resident, "organizer": f.org, "steward": f.steward}
	tests := []struct {
		method, path string
		body         any
		want         map[string]int // by role; missing roles get 200
	}{
		{"GET", "/api/v1/campaigns/acc", nil, nil},
		{"GET", "/api/v1/campaigns/acc/ledger", nil, nil},
		{"GET", "/api/v1/map/campaigns", nil, nil},
		{"GET", "/api/v1/campaigns/acc/ledger/verify", nil, map[string]int{"anonymous": 401, "resident": 404}},
		{"GET", "/api/v1/campaigns/acc/pledges", nil, map[string]int{"anonymous": 401, "resident": 404}},
		{"GET", "/api/v1/campaigns/acc/disbursements", nil, map[string]int{"anonymous": 401, "resident": 404}},
		{"POST", "/api/v1/campaigns/acc/pledges", pledgeBody("P", 100, false), map[string]int{"anonymous": 201, "resident": 201, "organizer": 201, "steward": 201}},
		{"POST", "/api/v1/campaigns/acc/grants", map[string]any{"funder": "F", "awarded": money(100), "uses": []string{"relocation"}},
			map[string]int{"anonymous": 401, "resident": 404, "organizer": 201, "steward": 201}},
		{"POST", "/api/v1/campaigns/acc/loans", map[string]any{"lender": "L", "amount": money(100)},
			map[string]int{"anonymous": 401, "resident": 404, "organizer": 201, "steward": 201}},
		{"POST", "/api/v1/campaigns", campaignBody("x", "all_or_nothing", 100, time.Now().Add(time.Hour)),
			map[string]int{"anonymous": 401, "resident": 404, "organizer": 201, "steward": 409}},
		{"POST", "/api/v1/campaigns/acc/transitions", map[string]string{"status": "completed"},
			map[string]int{"anonymous": 401, "resident": 404, "organizer": 409, "steward": 409}},
		{"POST", "/api/v1/campaigns/acc/disbursements", map[string]any{"amount": money(1), "use": "relocation", "payee": "P"},
			map[string]int{"anonymous": 401, "resident": 404, "organizer": 422, "steward": 403}},
	}
	for _, tc := range tests {
		for _, role := range []string{"anonymous", "resident", "organizer", "steward"} {
			t.Run(tc.method+" "+tc.path+" as "+role, func(t *testing.T) {
				want, ok := tc.want[role]
				if !ok {
					want = 200
				}
				r := f.Do(t, tc.method, tc.path, tc.body, as(tokens[role], newKey())...)
				if r.Status != want {
					t.Errorf("status %d, want %d: %s", r.Status, want, r.Body)
				}
			})
		}
	}
}

// TestDeadlineJobReleasesPledges lets the background job reach an
// all-or-nothing campaign's deadline short of its target.
func TestDeadlineJobReleasesPledges(t *testing.T) {
	f := startFunds(t, func(c *service.Config) { c.DeadlineTick = 50 * time.Millisecond })
	deadline := time.Now().Add(1500 * time.Millisecond)
	r := f.Do(t, "POST", "/api/v1/campaigns", campaignBody("soon", "all_or_nothing", 100_000, deadline), as(f.org, "")...)
	if r.Status != 201 {
		t.Fatal(r.Status, string(r.Body))
	}
	f.transition(t, "soon", "open", 200)
	f.post(t, "", "/api/v1/campaigns/soon/pledges", pledgeBody("A", 1000, false), 201)
	f.post(t, "", "/api/v1/campaigns/soon/pledges", pledgeBody("B", 2000, true), 201)
	for time.Now().Before(deadline.Add(5 * time.Second)) {
		if f.campaign(t, "soon", "").Status == "failed" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := f.campaign(t, "soon", "")
	if c.Status != "failed" || c.Progress.Pledged.AmountMinor != 0 {
		t.Fatalf("after the deadline: status %s, pledged %d; want failed with nothing pledged", c.Status, c.Progress.Pledged.AmountMinor)
	}
	releases := 0
	for _, e := range f.ledger(t, "soon", "", 100) {
		if e.Kind == "release" {
			releases++
		}
	}
	if releases != 2 {
		t.Errorf("releases = %d, want 2", releases)
	}
	f.Do(t, "POST", "/api/v1/campaigns/soon/pledges", pledgeBody("C", 100, false), as("", newKey())...).WantProblem(t, 409)
}

// TestPledgeSentTwiceAtOnce sends the same keyed pledge from several clients
// at the same moment: it takes effect once, and every copy gets the first
// answer byte for byte.
func TestPledgeSentTwiceAtOnce(t *testing.T) {
	f := startFunds(t)
	f.openCampaign(t, "twice", "keep_what_you_raise", 100_000)
	path := "/api/v1/campaigns/twice/pledges"
	body := `{"pledger":{"kind":"person","name":"Lupe"},"amount":{"amount_minor":1500}}`
	for round := range 5 {
		key := fmt.Sprint("same-", round)
		resps := make([]*servicetest.Response, 6)
		var wg sync.WaitGroup
		for i := range resps {
			wg.Go(func() { resps[i] = f.Do(t, "POST", path, body, as("", key)...) })
		}
		wg.Wait()
		for i, r := range resps {
			if r.Status != 201 || !bytes.Equal(r.Body, resps[0].Body) {
				t.Fatalf("round %d copy %d = %d %s; want 201 %s", round, i, r.Status, r.Body, resps[0].Body)
			}
		}
	}
	if c := f.campaign(t, "twice", ""); c.Progress.Pledged.AmountMinor != 5*1500 {
		t.Errorf("pledged = %d, want %d: each key counted once", c.Progress.Pledged.AmountMinor, 5*1500)
	}
	if n := len(f.ledger(t, "twice", "", 100)); n != 5 {
		t.Errorf("ledger has %d transactions, want 5", n)
	}
}

// ledgerMemos returns the memo of every transaction of a campaign's ledger.
func (f *fundEnv) ledgerMemos(t *testing.T, id string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			Memo string `json:"memo"`
		} `json:"items"`
	}
	f.Do(t, "GET", "/api/v1/campaigns/"+id+"/ledger?limit=1000", nil, as(f.org, "")...).JSON(t, &page)
	memos := make([]string, len(page.Items))
	for i, e := range page.Items {
		memos[i] = e.Memo
	}
	return memos
}
