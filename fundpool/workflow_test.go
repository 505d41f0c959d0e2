package fundpool

import (
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

func TestResolveDeadlineAllOrNothingFails(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", AllOrNothing)
	for _, p := range []Pledge{pledge(c, "p1", 30000, true), pledge(c, "p2", 20000, false), pledge(c, "p3", 10000, false)} {
		commit(t, b, must[Transaction](t)(MakePledge(c, p, meta(p.ID))))
	}
	commit(t, b, must[Transaction](t)(CancelPledge(b, c, "p3", meta("cancel-p3"))))

	if r := ResolveDeadline(b, c, c.Deadline.Add(-time.Second)); r.Due {
		t.Fatalf("resolved before the deadline: %+v", r)
	}
	after := c.Deadline.Add(time.Minute)
	r := ResolveDeadline(b, c, after)
	if !r.Due || r.Outcome != StatusFailed || len(r.Releases) != 2 {
		t.Fatalf("resolution = %+v, want failed with 2 releases", r)
	}
	// Deterministic: a second run (another worker, or after a restart)
	// builds exactly the same transactions.
	if diff := cmp.Diff(ResolveDeadline(b, c, after.Add(time.Hour)), r); diff != "" {
		t.Fatalf("second resolution differs:\n%s", diff)
	}
	// The process stops after posting the first release.
	commit(t, b, r.Releases[0])
	again := ResolveDeadline(b, c, after)
	if len(again.Releases) != 1 || again.Releases[0].ID != r.Releases[1].ID {
		t.Fatalf("after a partial run: %+v", again)
	}
	// Posting the whole first list again posts nothing twice.
	for _, tx := range r.Releases {
		if _, _, err := b.Append(tx); err != nil {
			t.Fatalf("re-post %s: %v", tx.IdempotencyKey, err)
		}
	}
	if got := len(b.All()); got != 6 {
		t.Fatalf("ledger holds %d transactions, want 6", got)
	}
	must[struct{}](t)(struct{}{}, c.Transition(r.Outcome, after))
	if r := ResolveDeadline(b, c, after); !r.Due || r.Outcome != StatusFailed || len(r.Releases) != 0 {
		t.Fatalf("resolution of the failed campaign = %+v", r)
	}
	for _, id := range []string{"p1", "p2"} {
		if st, _ := b.PledgeStatus(c.ID, id); st.State != PledgeReleased || st.Outstanding.Amount != 0 {
			t.Errorf("%s = %+v, want released", id, st)
		}
	}
	if st, _ := b.PledgeStatus(c.ID, "p3"); st.State != PledgeCancelled {
		t.Errorf("p3 = %+v, want cancelled", st)
	}
	if p := b.Progress(c); p.Pledged.Amount != 0 || p.Committed.Amount != 0 {
		t.Errorf("progress after release = %+v", p)
	}
	if rep := b.Verify(); !rep.OK() {
		t.Fatalf("verify: %+v", rep.Violations)
	}
}

func TestResolveDeadlineFunded(t *testing.T) {
	tests := []struct {
		name    string
		mode    Mode
		pledged int64
		want    Status
	}{
		{"all or nothing reached", AllOrNothing, 100000, StatusFunded},
		{"all or nothing short by a cent", AllOrNothing, 99999, StatusFailed},
		{"keep what you raise, something", KeepWhatYouRaise, 1, StatusFunded},
		{"keep what you raise, nothing", KeepWhatYouRaise, 0, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBook()
			c := openCampaign(t, "c1", tt.mode)
			if tt.pledged > 0 {
				commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", tt.pledged, false), meta("p1"))))
			}
			r := ResolveDeadline(b, c, c.Deadline)
			if !r.Due || r.Outcome != tt.want {
				t.Fatalf("resolution = %+v, want %s", r, tt.want)
			}
			if tt.want == StatusFunded && len(r.Releases) != 0 {
				t.Errorf("funded campaign releases pledges: %+v", r.Releases)
			}
		})
	}
}

func TestDisbursementWorkflow(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 50000, false), meta("p1"))))
	commit(t, b, must[[]Transaction](t)(ReceivePledge(b, c, "p1", usd(50000), meta("r1")))...)
	in := Disbursement{ID: "d1", CampaignID: c.ID, Amount: usd(20000), Use: UseLandAcquisition, Payee: "Jackson County Title"}
	org1, org2 := Actor{"o1", RoleOrganizer}, Actor{"o2", RoleOrganizer}
	steward, resident := Actor{"s1", RoleSteward}, Actor{"r1", RoleResident}

	_, err := ProposeDisbursement(b, c, in, resident, t0)
	wantKind(t, err, apperr.Forbidden)
	_, err = ProposeDisbursement(b, c, in, steward, t0)
	wantKind(t, err, apperr.Forbidden)
	bad := in
	bad.Amount, bad.Use, bad.Payee = usd(0), "boats", ""
	_, err = ProposeDisbursement(b, c, bad, org1, t0)
	if got, want := fieldNames(t, err), []string{"amount.amount_minor", "use", "payee"}; !cmp.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}

	d := must[Disbursement](t)(ProposeDisbursement(b, c, in, org1, t0))
	if d.State != DisbursementProposed || d.ProposedBy != "o1" {
		t.Fatalf("proposed = %+v", d)
	}
	_, err = Disburse(b, c, d, t0)
	wantKind(t, err, apperr.Conflict)
	wantKind(t, d.Approve(org1, t0), apperr.Forbidden)
	wantKind(t, d.Approve(resident, t0), apperr.Forbidden)
	must[struct{}](t)(struct{}{}, d.Approve(steward, t0))
	wantKind(t, d.Approve(org2, t0), apperr.Conflict)

	tx := must[Transaction](t)(Disburse(b, c, d, t0))
	if tx.Disbursement.ProposedBy != "o1" || tx.Disbursement.ApprovedBy != "s1" {
		t.Errorf("transaction records %+v", tx.Disbursement)
	}
	commit(t, b, tx)
	again := must[Transaction](t)(Disburse(b, c, d, t0.Add(time.Minute)))
	if _, added, err := b.Append(again); err != nil || added {
		t.Fatalf("second posting: added=%v err=%v", added, err)
	}
	d.MarkPosted(tx)
	if d.State != DisbursementPosted || d.TransactionID != tx.ID {
		t.Errorf("posted = %+v", d)
	}
	if got := b.Progress(c).Disbursed; got != usd(20000) {
		t.Errorf("disbursed = %v, want 200.00 USD", got)
	}

	w := must[Disbursement](t)(ProposeDisbursement(b, c, Disbursement{ID: "d2", CampaignID: c.ID, Amount: usd(100), Use: UseAdministration, Payee: "Printer"}, org1, t0))
	must[struct{}](t)(struct{}{}, w.Reject(org1, t0))
	if w.State != DisbursementRejected {
		t.Errorf("withdrawn = %+v", w)
	}
}

func TestFingerprint(t *testing.T) {
	base := Fingerprint("POST", "/api/v1/campaigns/c1/pledges", []byte(`{"amount":{"amount_minor":1000,"currency":"USD"},"name":"Ana"}`))
	same := []struct {
		method, route, body string
	}{
		{"post", "/api/v1/campaigns/c1/pledges", `{"name":"Ana","amount":{"currency":"USD","amount_minor":1000}}`},
		{"POST", "/api/v1/campaigns/c1/pledges", "{\n  \"amount\": {\"amount_minor\": 1000, \"currency\": \"USD\"},\n  \"name\": \"Ana\"\n}\n"},
	}
	for _, s := range same {
		if got := Fingerprint(s.method, s.route, []byte(s.body)); got != base {
			t.Errorf("Fingerprint(%s %s %s) differs from the same request", s.method, s.route, s.body)
		}
	}
	different := []struct {
		method, route, body string
	}{
		{"POST", "/api/v1/campaigns/c1/pledges", `{"amount":{"amount_minor":1001,"currency":"USD"},"name":"Ana"}`},
		{"POST", "/api/v1/campaigns/c1/pledges", `{"amount":{"amount_minor":1000.0,"currency":"USD"},"name":"Ana"}`},
		{"POST", "/api/v1/campaigns/c2/pledges", `{"amount":{"amount_minor":1000,"currency":"USD"},"name":"Ana"}`},
		{"PUT", "/api/v1/campaigns/c1/pledges", `{"amount":{"amount_minor":1000,"currency":"USD"},"name":"Ana"}`},
		{"POST", "/api/v1/campaigns/c1/pledges", `not json`},
	}
	for _, d := range different {
		if got := Fingerprint(d.method, d.route, []byte(d.body)); got == base {
			t.Errorf("Fingerprint(%s %s %s) equals a different request's", d.method, d.route, d.body)
		}
	}
	rec := IdempotencyRecord{Key: "k", Fingerprint: base, Status: 201}
	if err := rec.Replay(base); err != nil {
		t.Errorf("Replay(same) = %v", err)
	}
	wantKind(t, rec.Replay(Fingerprint("POST", "/x", nil)), apperr.Conflict)
}

func TestValidateIdempotencyKey(t *testing.T) {
	tests := []struct {
		key  string
		kind apperr.Kind
	}{
		{"5f1c2b7e-1d2a-4c9e-9a57-0c6f3f1e2d11", ""},
		{"", apperr.Invalid},
		{"has space", apperr.Invalid},
		{"ñ", apperr.Invalid},
		{string(make([]byte, MaxKeyLen+1)), apperr.Invalid},
	}
	for _, tt := range tests {
		if got := apperr.KindOf(ValidateIdempotencyKey(tt.key)); got != tt.kind {
			t.Errorf("ValidateIdempotencyKey(%q) kind = %q, want %q", tt.key, got, tt.kind)
		}
	}
}

func TestMatchingOnlyGrant(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	g := Grant{ID: "ocf", CampaignID: c.ID, Funder: "Oregon Community Foundation", Uses: []Use{UseInfrastructure},
		Match: &MatchRule{Match: 1, Per: 2, Cap: usd(1000)}}
	award := must[Transaction](t)(AwardGrant(c, g, meta("ocf")))
	if len(award.Postings) != 0 {
		t.Fatalf("matching-only award has postings: %+v", award.Postings)
	}
	commit(t, b, award)
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 5000, true), meta("p1"))))
	txs := must[[]Transaction](t)(ReceivePledge(b, c, "p1", usd(1001), meta("r1")))
	if len(txs) != 2 || txs[1].Total() != usd(500) {
		t.Fatalf("1:2 match of 10.01 = %+v, want 5.00", txs)
	}
	commit(t, b, txs...)
	commit(t, b, must[Transaction](t)(ReceiveGrant(b, c, "ocf", usd(500), meta("gr"))))
	if got := b.Balance(RestrictedAccount(c.ID, []Use{UseInfrastructure})); got != usd(500) {
		t.Errorf("restricted = %v, want 5.00 USD", got)
	}
	// Without the match rule the grant would need an award.
	g.Match = nil
	_, err := AwardGrant(c, g, meta("ocf2"))
	if got, want := fieldNames(t, err), []string{"awarded.currency", "awarded.amount_minor"}; !cmp.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestRematchAfterStop(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	commit(t, b, must[Transaction](t)(AwardGrant(c, fema(c), meta("grant"))))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 5000, true), meta("p1"))))
	txs := must[[]Transaction](t)(ReceivePledge(b, c, "p1", usd(3000), meta("r1")))
	commit(t, b, txs[0]) // the process stops before the match
	missing := must[[]Transaction](t)(Rematch(b, c, txs[0].ID, t0))
	if len(missing) != 1 || missing[0].ID != txs[1].ID || missing[0].Total() != txs[1].Total() {
		t.Fatalf("Rematch = %+v, want %+v", missing, txs[1:])
	}
	commit(t, b, missing...)
	if again := must[[]Transaction](t)(Rematch(b, c, txs[0].ID, t0)); len(again) != 0 {
		t.Fatalf("Rematch after posting = %+v", again)
	}
}

func TestMarkFunded(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", AllOrNothing)
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 99999, false), meta("p1"))))
	wantKind(t, MarkFunded(b, &c, t0), apperr.Conflict)
	if c.Status != StatusOpen {
		t.Fatalf("status = %s after refusal", c.Status)
	}
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p2", 1, false), meta("p2"))))
	if err := MarkFunded(b, &c, t0); err != nil || c.Status != StatusFunded {
		t.Fatalf("MarkFunded = %v, status %s", err, c.Status)
	}
	k := openCampaign(t, "c2", KeepWhatYouRaise)
	wantKind(t, MarkFunded(b, &k, t0), apperr.Conflict)
}
