package server_test

import (
	"fmt"
	"testing"
	"time"
)

// TestCancelPledge lets a signed-in pledger and an organizer cancel pledges,
// and refuses everyone else and every bad request with the fund pool left
// byte for byte as it was.
func TestCancelPledge(t *testing.T) {
	f := startFunds(t)
	const id = "cancel"
	f.openCampaign(t, id, "keep_what_you_raise", 100_000)
	pledges := "/api/v1/campaigns/" + id + "/pledges"
	own := f.post(t, f.resident, pledges, pledgeBody("José", 20_000, false), 201)
	anon := f.post(t, "", pledges, pledgeBody("Rosa", 30_000, true), 201)
	paid := f.post(t, f.resident, pledges, pledgeBody("José", 5_000, false), 201)
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "pledge", "source_id": paid.ID, "amount": money(5_000)}, 201)
	_, other := f.Account(t)
	cancel := func(pledgeID string) string { return pledges + "/" + pledgeID + "/cancel" }

	before := f.snapshot(t, id)
	refused := []struct {
		name, token, path, key string
		body                   any
		status                 int
	}{
		{"not signed in", "", cancel(own.ID), newKey(), nil, 401},
		{"another resident", other, cancel(own.ID), newKey(), nil, 404},
		{"an unlinked pledge by its pledger's guess", f.resident, cancel(anon.ID), newKey(), nil, 404},
		{"unknown pledge", f.org, cancel("pl_nope"), newKey(), nil, 404},
		{"missing Idempotency-Key", f.resident, cancel(own.ID), "", nil, 400},
		{"unknown field", f.resident, cancel(own.ID), newKey(), `{"why":"changed my mind"}`, 400},
		{"nothing outstanding", f.resident, cancel(paid.ID), newKey(), nil, 409},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			f.Do(t, "POST", tc.path, tc.body, as(tc.token, tc.key)...).WantProblem(t, tc.status)
			if after := f.snapshot(t, id); after != before {
				t.Errorf("the refused request changed the fund pool")
			}
		})
	}

	got := f.post(t, f.resident, cancel(own.ID), nil, 200)
	if got.State != "cancelled" || got.TransactionID == "" {
		t.Errorf("pledger's cancel = %+v; want cancelled with its transaction", got)
	}
	if got := f.post(t, f.org, cancel(anon.ID), map[string]any{}, 200); got.State != "cancelled" {
		t.Errorf("organizer's cancel = %+v", got)
	}
	before = f.snapshot(t, id)
	f.Do(t, "POST", cancel(own.ID), nil, as(f.resident, newKey())...).WantProblem(t, 409)
	if after := f.snapshot(t, id); after != before {
		t.Errorf("a second cancel changed the fund pool")
	}
	if c := f.campaign(t, id, ""); c.Progress.Pledged.AmountMinor != 5_000 {
		t.Errorf("pledged = %d after cancelling, want only the paid pledge's 5000", c.Progress.Pledged.AmountMinor)
	}
	memos := map[string]bool{}
	for _, e := range f.ledgerMemos(t, id) {
		memos[e] = true
	}
	if !memos["cancelled by the pledger"] || !memos["cancelled by an organizer"] {
		t.Errorf("ledger memos %v do not say who cancelled", memos)
	}
}

// TestReverseTransaction reverses a pledge receipt that earned a match (the
// match is reversed first) and refuses every bad reversal with the fund pool
// left byte for byte as it was.
func TestReverseTransaction(t *testing.T) {
	f := startFunds(t)
	const id = "reverse"
	f.openCampaign(t, id, "keep_what_you_raise", 100_000)
	f.post(t, f.org, "/api/v1/campaigns/"+id+"/grants", map[string]any{
		"funder": "FEMA", "awarded": money(40_000), "uses": []string{"land_acquisition"},
		"match": map[string]any{"match": 1, "per": 1, "cap": money(5_000)},
	}, 201)
	pl := f.post(t, f.resident, "/api/v1/campaigns/"+id+"/pledges", pledgeBody("José", 8_000, false), 201)
	r := f.Do(t, "POST", "/api/v1/campaigns/"+id+"/receipts", map[string]any{"source_kind": "pledge", "source_id": pl.ID, "amount": money(8_000)}, as(f.org, newKey())...)
	var receipt struct {
		Transactions []ledgerEntry `json:"transactions"`
	}
	r.JSON(t, &receipt)
	if r.Status != 201 || len(receipt.Transactions) != 2 {
		t.Fatalf("receipt = %d %s", r.Status, r.Body)
	}
	receiptID, matchID := receipt.Transactions[0].ID, receipt.Transactions[1].ID
	reverse := func(txID string) string { return "/api/v1/campaigns/" + id + "/ledger/" + txID + "/reversal" }
	reason := map[string]string{"reason": "the cheque was returned unpaid"}

	before := f.snapshot(t, id)
	refused := []struct {
		name, token, path, key string
		body                   any
		status                 int
		field                  string
	}{
		{"no reason", f.org, reverse(receiptID), newKey(), map[string]string{}, 422, "reason"},
		{"blank reason", f.org, reverse(receiptID), newKey(), map[string]string{"reason": "   "}, 422, "reason"},
		{"no body", f.org, reverse(receiptID), newKey(), nil, 400, ""},
		{"unknown field", f.org, reverse(receiptID), newKey(), map[string]string{"reason": "x", "amount": "1"}, 400, "amount"},
		{"unknown transaction", f.org, reverse("tx_nope"), newKey(), reason, 404, ""},
		{"missing Idempotency-Key", f.org, reverse(receiptID), "", reason, 400, ""},
		{"a resident", f.resident, reverse(receiptID), newKey(), reason, 404, ""},
		{"not signed in", "", reverse(receiptID), newKey(), reason, 401, ""},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			p := f.Do(t, "POST", tc.path, tc.body, as(tc.token, tc.key)...).WantProblem(t, tc.status)
			if tc.field != "" && !p.HasField(tc.field) {
				t.Errorf("problem does not name %s: %+v", tc.field, p)
			}
			if after := f.snapshot(t, id); after != before {
				t.Errorf("the refused request changed the fund pool")
			}
		})
	}

	r = f.Do(t, "POST", reverse(receiptID), reason, as(f.org, newKey())...)
	var out struct {
		Transactions []struct {
			Kind string `json:"kind"`
			Ref  string `json:"ref"`
			Memo string `json:"memo"`
		} `json:"transactions"`
	}
	r.JSON(t, &out)
	if r.Status != 201 || len(out.Transactions) != 2 || out.Transactions[0].Ref != matchID || out.Transactions[1].Ref != receiptID ||
		out.Transactions[1].Kind != "reversal" || out.Transactions[1].Memo != reason["reason"] {
		t.Fatalf("reversal = %d %s; want the match's reversal, then the receipt's, with the reason", r.Status, r.Body)
	}
	c := f.campaign(t, id, "")
	if c.Progress.Received.AmountMinor != 0 || c.Progress.Matched.AmountMinor != 0 || c.Progress.Pledged.AmountMinor != 8_000 {
		t.Errorf("progress after the reversal = %+v; want the pledge outstanding again and nothing matched", c.Progress)
	}

	before = f.snapshot(t, id)
	for name, txID := range map[string]string{"already reversed": receiptID, "a reversal": f.ledger(t, id, f.org, 100)[len(f.ledger(t, id, f.org, 100))-1].ID} {
		t.Run(name, func(t *testing.T) {
			f.Do(t, "POST", reverse(txID), reason, as(f.org, newKey())...).WantProblem(t, 409)
			if after := f.snapshot(t, id); after != before {
				t.Errorf("the refused reversal changed the fund pool")
			}
		})
	}
	var report struct {
		OK bool `json:"ok"`
	}
	f.Do(t, "GET", "/api/v1/campaigns/"+id+"/ledger/verify", nil, as(f.org, "")...).JSON(t, &report)
	if !report.OK {
		t.Errorf("the ledger does not verify after the reversal")
	}
}

// TestPledgeForm shows anyone, before pledging, what anonymity hides, in
// both languages, and whether the campaign takes pledges.
func TestPledgeForm(t *testing.T) {
	f := startFunds(t)
	f.openCampaign(t, "form", "all_or_nothing", 100_000)
	var form struct {
		Currency        string  `json:"currency"`
		AcceptsPledges  bool    `json:"accepts_pledges"`
		Refusal         *string `json:"refusal"`
		AnonymousNotice struct {
			En, Es string
		} `json:"anonymous_notice"`
		MaxAmount struct {
			AmountMinor int64 `json:"amount_minor"`
		} `json:"max_amount"`
	}
	r := f.Do(t, "GET", "/api/v1/campaigns/form/pledge-form", nil)
	r.JSON(t, &form)
	if r.Status != 200 || !form.AcceptsPledges || form.Refusal != nil || form.Currency != "USD" || form.MaxAmount.AmountMinor != 1_000_000_000_000_000 {
		t.Fatalf("pledge form = %d %s", r.Status, r.Body)
	}
	for _, text := range []string{form.AnonymousNotice.En, form.AnonymousNotice.Es} {
		if text == "" {
			t.Errorf("anonymous notice missing a language: %+v", form.AnonymousNotice)
		}
	}
	f.transition(t, "form", "cancelled", 200)
	f.Do(t, "GET", "/api/v1/campaigns/form/pledge-form", nil).JSON(t, &form)
	if form.AcceptsPledges || form.Refusal == nil || *form.Refusal == "" {
		t.Errorf("a cancelled campaign's form = %+v; want refused with a reason", form)
	}
	r = f.Do(t, "POST", "/api/v1/campaigns", campaignBody("form-draft", "all_or_nothing", 1000, time.Now().Add(time.Hour)), as(f.org, "")...)
	if r.Status != 201 {
		t.Fatal(r.Status, string(r.Body))
	}
	f.Do(t, "GET", "/api/v1/campaigns/form-draft/pledge-form", nil).WantProblem(t, 404)
}

// TestCampaignMapShowsParcel maps a campaign with the outline of the parcel
// it would buy, one with two parcels with both, and a campaign whose parcel
// is unknown with a null geometry.
func TestCampaignMapShowsParcel(t *testing.T) {
	f := startFunds(t)
	var ids []string
	for i, lon := range []float64{-122.8203, -122.8103} {
		parcel := fmt.Sprintf(`{"type":"Feature","properties":{"source":"test-assessor","source_id":"map-%d","address":"%d Creek Rd, Talent, OR","currency":"USD"},
			"geometry":{"type":"Polygon","coordinates":[[[%[3]g,42.2754],[%[4]g,42.2754],[%[4]g,42.2769],[%[3]g,42.2769],[%[3]g,42.2754]]]}}`, i, i+1, lon, lon+0.002)
		r := f.Do(t, "POST", "/api/v1/parcels", parcel, append(as(f.org, ""), "Content-Type", "application/geo+json")...)
		var p struct {
			ID string `json:"id"`
		}
		r.JSON(t, &p)
		if r.Status != 201 || p.ID == "" {
			t.Fatalf("create parcel: %d %s", r.Status, r.Body)
		}
		ids = append(ids, p.ID)
	}
	located := campaignBody("located", "keep_what_you_raise", 100_000, time.Now().Add(time.Hour))
	located["parcel_ids"] = ids[:1]
	two := campaignBody("two", "keep_what_you_raise", 100_000, time.Now().Add(time.Hour))
	two["parcel_ids"] = append(ids, "parcel-unknown")
	for _, body := range []map[string]any{located, two, campaignBody("unlocated", "keep_what_you_raise", 100_000, time.Now().Add(time.Hour))} {
		if r := f.Do(t, "POST", "/api/v1/campaigns", body, as(f.org, "")...); r.Status != 201 {
			t.Fatalf("create campaign: %d %s", r.Status, r.Body)
		}
		f.transition(t, body["id"].(string), "open", 200)
	}
	type polygon struct {
		Type        string        `json:"type"`
		Coordinates [][][]float64 `json:"coordinates"`
	}
	var fc struct {
		Features []struct {
			ID       string `json:"id"`
			Geometry *struct {
				polygon
				Geometries []polygon `json:"geometries"`
			} `json:"geometry"`
		} `json:"features"`
	}
	r := f.Do(t, "GET", "/api/v1/map/campaigns", nil)
	r.JSON(t, &fc)
	if r.Status != 200 || len(fc.Features) != 3 {
		t.Fatalf("map = %d %s", r.Status, r.Body)
	}
	isParcel := func(g polygon, lon float64) bool {
		return g.Type == "Polygon" && len(g.Coordinates) == 1 && len(g.Coordinates[0]) == 5 &&
			g.Coordinates[0][0][0] == lon && g.Coordinates[0][0][1] == 42.2754
	}
	for _, ft := range fc.Features {
		g := ft.Geometry
		switch ft.ID {
		case "located":
			if g == nil || !isParcel(g.polygon, -122.8203) {
				t.Errorf("located campaign's geometry = %+v; want the parcel's outline", g)
			}
		case "two":
			if g == nil || g.Type != "GeometryCollection" || len(g.Geometries) != 2 ||
				!isParcel(g.Geometries[0], -122.8203) || !isParcel(g.Geometries[1], -122.8103) {
				t.Errorf("two-parcel campaign's geometry = %+v; want both outlines", g)
			}
		case "unlocated":
			if g != nil {
				t.Errorf("a campaign whose parcel is unknown has geometry %+v; want null", g)
			}
		}
	}
}
