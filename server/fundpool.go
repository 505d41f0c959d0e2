package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"commonground/apperr"
	"commonground/auth"
	"commonground/fundpool"
)

// ParcelLocator gives the GeoJSON geometry of a parcel for the campaign map.
// Without one (Deps.Parcels and Deps.Geo nil) campaigns are mapped with a
// null geometry and their parcel ids in the properties.
type ParcelLocator interface {
	ParcelGeoJSON(ctx context.Context, parcelID string) (json.RawMessage, bool)
}

// campaignNotFound is the answer for a campaign that does not exist and for
// one the caller may not see (a draft, to anyone but organizers).
func campaignNotFound() error { return apperr.New(apperr.NotFound, "campaign not found") }

// runsCampaigns reports whether p may see drafts, names of anonymous
// pledgers and the workflow of disbursements.
func runsCampaigns(p *auth.Principal) bool {
	return p.HasRole(auth.RoleOrganizer) || p.HasRole(auth.RoleSteward)
}

// fundActor is the caller as the fund pool sees it. An organizer who is
// also a steward acts as organizer, so that they may propose.
func fundActor(p *auth.Principal) fundpool.Actor {
	switch {
	case p.HasRole(auth.RoleOrganizer):
		return fundpool.Actor{ID: p.AccountID, Role: fundpool.RoleOrganizer}
	case p.HasRole(auth.RoleSteward):
		return fundpool.Actor{ID: p.AccountID, Role: fundpool.RoleSteward}
	}
	return fundpool.Actor{ID: p.AccountID, Role: fundpool.RoleResident}
}

// visibleCampaign returns campaign id if the caller may see it.
func (s *Server) visibleCampaign(c *fiber.Ctx) (fundpool.Campaign, error) {
	camp, err := s.deps.Funds.Campaign(c.UserContext(), c.Params("id"))
	if err != nil {
		return fundpool.Campaign{}, campaignNotFound()
	}
	if camp.Status == fundpool.StatusDraft && !runsCampaigns(principal(c)) {
		return fundpool.Campaign{}, campaignNotFound()
	}
	return camp, nil
}

// keyed runs a request that creates money records under its Idempotency-Key.
// The first response to (caller, key) is stored; a retry with the same
// method, route and body gets it again, byte for byte; a different request
// with the key is refused with 409. The key handed to run is derived from
// the caller and the header, so two callers' keys never meet in the ledger.
//
// A retry that arrives while the first request with its key is still running
// (a client that timed out and sent again) does not run a second time: it
// waits for the first and answers as it did. If the first fails, the retry
// runs itself; if the retry's own deadline passes first, it gets 409 "still in
// progress", and may be sent again.
func (s *Server) keyed(c *fiber.Ctx, run func(ctx context.Context, key string, body []byte) (int, any, error)) error {
	header := c.Get("Idempotency-Key")
	if err := fundpool.ValidateIdempotencyKey(header); err != nil {
		return err
	}
	header = strings.Clone(header)
	var body []byte
	// A route without a request body (an approval) may send none at all.
	if c.Get(fiber.HeaderContentType) != "" || c.Request().Header.ContentLength() != 0 {
		if err := requireMediaType(c, fiber.MIMEApplicationJSON); err != nil {
			return err
		}
		var err error
		if body, err = readBody(c, s.cfg.BodyLimit); err != nil {
			return err
		}
	}
	ctx := c.UserContext()
	scope := "public"
	if p := principal(c); p.Authenticated() {
		scope = "account:" + p.AccountID
	}
	fp := fundpool.Fingerprint(c.Method(), c.Path(), body)
	flight, err := s.flights.begin(ctx, scope+"\x00"+header, fp)
	if err != nil {
		return err
	}
	if flight.rec != nil {
		return replay(c, *flight.rec, fp)
	}
	var stored *fundpool.IdempotencyRecord
	defer func() {
		if stored == nil {
			s.flights.end(flight, nil)
		}
	}()
	if rec, err := s.deps.Funds.Recall(ctx, scope, header); err == nil {
		return replay(c, rec, fp)
	} else if apperr.KindOf(err) != apperr.NotFound {
		return err
	}
	h := sha256.Sum256([]byte(scope + "\x00" + header))
	status, v, err := run(ctx, "req/"+hex.EncodeToString(h[:16]), body)
	if err != nil {
		return err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	rec := fundpool.IdempotencyRecord{Scope: scope, Key: header, Fingerprint: fp, Status: status, Body: out}
	// What the request recorded is stored already, under ids derived from
	// the key; the response is remembered after it is sent, off the
	// request's path. Until then this flight answers retries from memory.
	// If the process stops before the record is written, a retry runs the
	// request again and the fund pool finds the same records, counted once.
	stored = &rec
	s.flights.answer(flight, stored)
	s.flights.remember(ctx, flight, func(ctx context.Context) error { return s.deps.Funds.Remember(ctx, rec) })
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(out)
}

// keyedFlights tracks the keyed requests running in this process, by caller
// and key, until their response is remembered.
type keyedFlights struct {
	mu sync.Mutex
	m  map[string]*keyedFlight
	// writes counts responses still being remembered, so that Shutdown
	// can wait for them.
	writes sync.WaitGroup
}

// rememberTimeout bounds the write of one remembered response.
const rememberTimeout = 15 * time.Second

// answer makes rec the answer retries of flight f get, at once, while it is
// being remembered.
func (k *keyedFlights) answer(f *keyedFlight, rec *fundpool.IdempotencyRecord) {
	k.mu.Lock()
	f.rec = rec
	k.mu.Unlock()
}

// remember runs write (storing flight f's response) after the request, then
// ends the flight. A failed write is not an error of the request: its
// effects are stored, and a retry finds them.
func (k *keyedFlights) remember(ctx context.Context, f *keyedFlight, write func(context.Context) error) {
	k.writes.Add(1)
	go func() {
		defer k.writes.Done()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rememberTimeout)
		defer cancel()
		_ = write(wctx)
		k.end(f, f.rec)
	}()
}

// wait waits for the responses still being remembered.
func (k *keyedFlights) wait() { k.writes.Wait() }

// keyedFlight is one keyed request while it runs and its response is being
// remembered. rec (guarded by keyedFlights.mu) is its response once it has
// one; done is closed when the flight ends.
type keyedFlight struct {
	id          string
	fingerprint string
	done        chan struct{}
	rec         *fundpool.IdempotencyRecord
}

// begin registers a request with key id. If another with the id is running,
// begin waits for it: its stored response comes back as the flight's rec
// (the caller replays it); if it stored none, begin tries again. A different
// request with the id is refused at once.
func (k *keyedFlights) begin(ctx context.Context, id, fingerprint string) (*keyedFlight, error) {
	for {
		k.mu.Lock()
		if k.m == nil {
			k.m = map[string]*keyedFlight{}
		}
		f := k.m[id]
		if f == nil {
			f = &keyedFlight{id: id, fingerprint: fingerprint, done: make(chan struct{})}
			k.m[id] = f
			k.mu.Unlock()
			return f, nil
		}
		rec := f.rec
		k.mu.Unlock()
		if rec != nil && f.fingerprint == fingerprint {
			return &keyedFlight{rec: rec}, nil
		}
		if f.fingerprint != fingerprint {
			return nil, apperr.New(apperr.Conflict, "the Idempotency-Key was already used for a different request")
		}
		select {
		case <-f.done:
			if f.rec != nil {
				return &keyedFlight{rec: f.rec}, nil
			}
		case <-ctx.Done():
			return nil, apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still in progress; send it again later")
		}
	}
}

// end finishes flight f, handing rec (nil if none was stored) to the
// requests waiting for it.
func (k *keyedFlights) end(f *keyedFlight, rec *fundpool.IdempotencyRecord) {
	k.mu.Lock()
	delete(k.m, f.id)
	f.rec = rec
	k.mu.Unlock()
	close(f.done)
}

func replay(c *fiber.Ctx, rec fundpool.IdempotencyRecord, fingerprint string) error {
	if err := rec.Replay(fingerprint); err != nil {
		return err
	}
	c.Set("Idempotent-Replayed", "true")
	c.Status(rec.Status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(rec.Body)
}

func (s *Server) listCampaigns(c *fiber.Ctx) error {
	f := fundpool.CampaignFilter{CommunityID: strings.Clone(c.Query("community_id")), ParcelID: strings.Clone(c.Query("parcel_id"))}
	var err error
	if f.Offset, err = queryInt(c, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(c, "limit", 100, 1, 1000); err != nil {
		return err
	}
	if st := c.Query("status"); st != "" {
		for part := range strings.SplitSeq(st, ",") {
			status := fundpool.Status(strings.Clone(part))
			if !status.Valid() {
				var fe apperr.Fields
				fe.Add("status", "%q is not a campaign status", part)
				return fe.Err()
			}
			f.Status = append(f.Status, status)
		}
	}
	if !runsCampaigns(principal(c)) {
		if len(f.Status) == 0 {
			f.Status = []fundpool.Status{fundpool.StatusOpen, fundpool.StatusFunded, fundpool.StatusPurchasing,
				fundpool.StatusCompleted, fundpool.StatusFailed, fundpool.StatusCancelled}
		}
		f.Status = slicesDelete(f.Status, fundpool.StatusDraft)
		if len(f.Status) == 0 {
			return writeJSON(c, fiber.StatusOK, campaignListOut{Items: []campaignOut{}})
		}
	}
	cs, total, err := s.deps.Funds.Campaigns(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := campaignListOut{Items: make([]campaignOut, 0, len(cs)), Total: total}
	for _, camp := range cs {
		co := toCampaignOut(camp)
		co.Progress = toProgressOut(s.deps.Funds.Book().Progress(camp))
		out.Items = append(out.Items, co)
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func slicesDelete(ss []fundpool.Status, drop fundpool.Status) []fundpool.Status {
	out := ss[:0:0]
	for _, s := range ss {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// queryInt reads an integer query parameter within [lo, hi].
func queryInt(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, apperr.New(apperr.Invalid, "query parameter %s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

func (s *Server) createCampaign(c *fiber.Ctx) error {
	var in campaignIn
	if err := s.decodeJSON(c, &in); err != nil {
		return err
	}
	camp, err := in.toDomain()
	if err != nil {
		return err
	}
	camp, err = s.deps.Funds.CreateCampaign(c.UserContext(), fundActor(principal(c)), camp)
	if err != nil {
		return err
	}
	c.Location("/api/v1/campaigns/" + camp.ID)
	return writeJSON(c, fiber.StatusCreated, toCampaignOut(camp))
}

func (s *Server) getCampaign(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	out := toCampaignOut(camp)
	out.Progress = toProgressOut(s.deps.Funds.Book().Progress(camp))
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) updateCampaign(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	var in campaignPatch
	if err := s.decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := in.toDomain(camp.Currency())
	if err != nil {
		return err
	}
	camp, err = s.deps.Funds.UpdateCampaign(c.UserContext(), camp.ID, in.Version, u)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toCampaignOut(camp))
}

func (s *Server) transitionCampaign(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	var in transitionIn
	if err := s.decodeJSON(c, &in); err != nil {
		return err
	}
	to := fundpool.Status(in.Status)
	if !to.Valid() {
		var f apperr.Fields
		f.Add("status", "is not a campaign status")
		return f.Err()
	}
	camp, err = s.deps.Funds.TransitionCampaign(c.UserContext(), camp.ID, to)
	if err != nil {
		return err
	}
	out := toCampaignOut(camp)
	out.Progress = toProgressOut(s.deps.Funds.Book().Progress(camp))
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) pledgeOut(pl fundpool.Pledge, txID string, showName bool) pledgeOut {
	st, _ := s.deps.Funds.Book().PledgeStatus(pl.CampaignID, pl.ID)
	name := pl.PublicName()
	if showName {
		name = pl.Pledger.Name
	}
	out := pledgeOut{
		ID: pl.ID, CampaignID: pl.CampaignID, Name: name, Kind: string(pl.Pledger.Kind), Anonymous: pl.Anonymous,
		Linked: pl.Pledger.AccountID != "", Amount: toAmountOut(pl.Amount), State: string(st.State),
		Received: toAmountOut(st.Received), Outstanding: toAmountOut(st.Outstanding), TransactionID: txID,
	}
	if st.State == "" {
		out.State = string(fundpool.PledgePledged)
		out.Received = toAmountOut(fundpool.Money{Currency: pl.Amount.Currency})
		out.Outstanding = toAmountOut(pl.Amount)
	}
	if pl.Anonymous {
		out.Notice = anonymousNotice
	}
	return out
}

func (s *Server) createPledge(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	p := principal(c)
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		var in pledgeIn
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, nil, err
		}
		var f apperr.Fields
		pl := fundpool.Pledge{
			CampaignID: camp.ID,
			Pledger:    fundpool.Pledger{Kind: fundpool.PledgerKind(in.Pledger.Kind), Name: in.Pledger.Name},
			Amount:     in.Amount.parse(&f, "amount", camp.Currency()),
			Anonymous:  in.Anonymous,
		}
		for i, inst := range in.Schedule {
			pl.Schedule = append(pl.Schedule, fundpool.Instalment{Due: inst.Due, Amount: inst.Amount.parse(&f, "schedule."+strconv.Itoa(i)+".amount", camp.Currency())})
		}
		if err := f.Err(); err != nil {
			return 0, nil, err
		}
		if p.Authenticated() {
			pl.Pledger.AccountID = p.AccountID
			if p.HasRole(auth.RoleResident) {
				// A signed-in resident's pledge is theirs: matching grants apply.
				pl.Pledger.ResidentID = p.AccountID
			}
		}
		pl, t, err := s.deps.Funds.Pledge(ctx, key, pl)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, s.pledgeOut(pl, t.ID, true), nil
	})
}

func (s *Server) listPledges(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	ps, err := s.deps.Funds.Pledges(c.UserContext(), camp.ID)
	if err != nil {
		return err
	}
	out := make([]pledgeOut, 0, len(ps))
	for _, pl := range ps {
		if _, ok := s.deps.Funds.Book().PledgeStatus(camp.ID, pl.ID); !ok {
			continue // a record whose transaction never made it into the ledger
		}
		out = append(out, s.pledgeOut(pl, "", true))
	}
	return writeJSON(c, fiber.StatusOK, map[string]any{"items": out})
}

func (s *Server) createGrant(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		var in grantIn
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, nil, err
		}
		var f apperr.Fields
		g := fundpool.Grant{
			CampaignID: camp.ID, Funder: in.Funder, Program: in.Program, AwardID: in.AwardID,
			ReportingDuties: in.ReportingDuties,
		}
		if in.Awarded != nil {
			g.Awarded = in.Awarded.parse(&f, "awarded", camp.Currency())
		} else {
			g.Awarded = fundpool.Money{Currency: camp.Currency()}
		}
		for _, u := range in.Uses {
			g.Uses = append(g.Uses, fundpool.Use(u))
		}
		if in.Match != nil {
			g.Match = &fundpool.MatchRule{Match: in.Match.Match, Per: in.Match.Per, Cap: in.Match.Cap.parse(&f, "match.cap", camp.Currency())}
		}
		if err := f.Err(); err != nil {
			return 0, nil, err
		}
		g, t, err := s.deps.Funds.AwardGrant(ctx, key, g)
		if err != nil {
			return 0, nil, err
		}
		out := grantOut{
			ID: g.ID, CampaignID: g.CampaignID, Funder: g.Funder, Program: g.Program, AwardID: g.AwardID,
			Awarded: toAmountOut(g.Awarded), Uses: in.Uses, ReportingDuties: g.ReportingDuties, TransactionID: t.ID,
		}
		if m := g.Match; m != nil {
			out.Match = &matchOut{m.Match, m.Per, toAmountOut(m.Cap)}
		}
		return fiber.StatusCreated, out, nil
	})
}

func (s *Server) createLoan(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		var in loanIn
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, nil, err
		}
		var f apperr.Fields
		l := fundpool.LoanCommitment{CampaignID: camp.ID, Lender: in.Lender, Terms: in.Terms,
			Amount: in.Amount.parse(&f, "amount", camp.Currency())}
		if err := f.Err(); err != nil {
			return 0, nil, err
		}
		l, t, err := s.deps.Funds.CommitLoan(ctx, key, l)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, loanOut{l.ID, l.CampaignID, l.Lender, toAmountOut(l.Amount), l.Terms, t.ID}, nil
	})
}

func (s *Server) createReceipt(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		var in receiptIn
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, nil, err
		}
		var f apperr.Fields
		amount := in.Amount.parse(&f, "amount", camp.Currency())
		if in.SourceID == "" {
			f.Add("source_id", "must be given")
		}
		if err := f.Err(); err != nil {
			return 0, nil, err
		}
		txs, err := s.deps.Funds.Receive(ctx, key, camp.ID, fundpool.SourceKind(in.SourceKind), in.SourceID, amount)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, s.posted(ctx, camp, txs), nil
	})
}

func (s *Server) proposeDisbursement(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	actor := fundActor(principal(c))
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		var in disbursementIn
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, nil, err
		}
		var f apperr.Fields
		d := fundpool.Disbursement{CampaignID: camp.ID, Amount: in.Amount.parse(&f, "amount", camp.Currency()),
			Use: fundpool.Use(in.Use), Payee: in.Payee, Memo: in.Memo}
		if err := f.Err(); err != nil {
			return 0, nil, err
		}
		d, err := s.deps.Funds.ProposeDisbursement(ctx, key, actor, d)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, toDisbursementOut(d), nil
	})
}

func (s *Server) listDisbursements(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	ds, err := s.deps.Funds.Disbursements(c.UserContext(), camp.ID)
	if err != nil {
		return err
	}
	out := make([]disbursementOut, len(ds))
	for i, d := range ds {
		out[i] = toDisbursementOut(d)
	}
	return writeJSON(c, fiber.StatusOK, map[string]any{"items": out})
}

func (s *Server) decideDisbursement(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		camp, err := s.visibleCampaign(c)
		if err != nil {
			return err
		}
		id := strings.Clone(c.Params("disbursement_id"))
		actor := fundActor(principal(c))
		return s.keyed(c, func(ctx context.Context, _ string, body []byte) (int, any, error) {
			if err := emptyBody(body); err != nil {
				return 0, nil, err
			}
			d, err := s.deps.Funds.DecideDisbursement(ctx, actor, camp.ID, id, approve)
			if err != nil {
				return 0, nil, err
			}
			return fiber.StatusOK, toDisbursementOut(d), nil
		})
	}
}

// posted writes the transactions a request posted, for organizers.
func (s *Server) posted(ctx context.Context, camp fundpool.Campaign, txs []fundpool.Transaction) receiptOut {
	out := receiptOut{Transactions: make([]ledgerEntryOut, len(txs))}
	for i, t := range txs {
		out.Transactions[i] = s.ledgerEntry(ctx, camp, t, true)
	}
	return out
}

// emptyBody accepts no body at all, or an empty JSON object.
func emptyBody(body []byte) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	var in struct{}
	return unmarshalStrict(body, &in)
}

// pledgeForm tells the pledge form what to say before anyone pledges: the
// currency and limits, whether the campaign takes pledges now, and plainly
// what "anonymous" hides and from whom.
func (s *Server) pledgeForm(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	cur := camp.Currency()
	out := pledgeFormOut{
		CampaignID: camp.ID, Currency: cur,
		MinAmount:       toAmountOut(fundpool.Money{Amount: 1, Currency: cur}),
		MaxAmount:       toAmountOut(fundpool.Money{Amount: fundpool.MaxAmount, Currency: cur}),
		AnonymousNotice: anonymousNotices, LinkedNotice: linkedNotices,
	}
	if why := camp.PledgeRefusal(time.Now()); why != "" {
		out.Refusal = &why
	}
	out.AcceptsPledges = out.Refusal == nil
	return writeJSON(c, fiber.StatusOK, out)
}

// cancelPledge voids what is outstanding on a pledge, at the request of its
// pledger (signed in when they pledged) or of an organizer. Anyone else is
// told the pledge does not exist.
func (s *Server) cancelPledge(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	p := principal(c)
	pl, err := s.deps.Funds.PledgeByID(c.UserContext(), c.Params("pledge_id"))
	own := err == nil && pl.Pledger.AccountID != "" && pl.Pledger.AccountID == p.AccountID
	if err != nil || pl.CampaignID != camp.ID || !(own || runsCampaigns(p)) {
		return apperr.New(apperr.NotFound, "pledge not found")
	}
	memo := "cancelled by the pledger"
	if !own {
		memo = "cancelled by an organizer"
	}
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		if err := emptyBody(body); err != nil {
			return 0, nil, err
		}
		t, err := s.deps.Funds.CancelPledge(ctx, key, camp.ID, pl.ID, memo)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusOK, s.pledgeOut(pl, t.ID, true), nil
	})
}

// reverseTransaction undoes a ledger transaction by posting its reversal
// (and, for a pledge receipt, the reversals of the matches it earned first).
func (s *Server) reverseTransaction(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	txID := strings.Clone(c.Params("transaction_id"))
	return s.keyed(c, func(ctx context.Context, key string, body []byte) (int, any, error) {
		var in reversalIn
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, nil, err
		}
		txs, err := s.deps.Funds.Reverse(ctx, key, camp.ID, txID, in.Reason)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, s.posted(ctx, camp, txs), nil
	})
}

// ledgerEntry writes a transaction for people: pledgers by name, or
// "Anonymous" in public when they asked; organizers see every name and who
// proposed and approved each disbursement.
func (s *Server) ledgerEntry(ctx context.Context, camp fundpool.Campaign, t fundpool.Transaction, organizer bool) ledgerEntryOut {
	total := t.Total()
	if total.Currency == "" {
		total.Currency = camp.Currency() // a matching-only grant posts nothing
	}
	out := ledgerEntryOut{
		Seq: t.Seq, ID: t.ID, Kind: string(t.Kind), Time: t.Time, Memo: t.Memo, Ref: t.Ref,
		Explanation: t.Explanation, Total: toAmountOut(total), Postings: make([]postingOut, len(t.Postings)),
		ReversedBy: s.deps.Funds.Book().ReversedBy(t.ID),
	}
	for i, p := range t.Postings {
		out.Postings[i] = postingOut{p.Source, p.Destination, toAmountOut(p.Amount)}
	}
	if t.Source.ID != "" {
		src := &ledgerSourceOut{Kind: string(t.Source.Kind), ID: t.Source.ID, Program: t.Source.Program}
		switch t.Source.Kind {
		case fundpool.SourcePledge:
			if pl, err := s.deps.Funds.PledgeByID(ctx, t.Source.ID); err == nil {
				src.Name = pl.PublicName()
				if organizer {
					src.Name = pl.Pledger.Name
				}
			}
		case fundpool.SourceGrant, fundpool.SourceLoan:
			src.Name = t.Source.Funder
			if src.Name == "" {
				if info, ok := s.deps.Funds.Book().Transaction(t.Ref); ok {
					src.Name = info.Source.Funder
				}
			}
		}
		out.Source = src
	}
	if d := t.Disbursement; d != nil {
		out.Disbursement = &ledgerDisbursementOut{ID: d.ID, Use: string(d.Use), Payee: d.Payee}
		if organizer {
			out.Disbursement.ProposedBy, out.Disbursement.ApprovedBy = d.ProposedBy, d.ApprovedBy
		}
	}
	return out
}

func (s *Server) campaignLedger(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	var after int64
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || n < 0 {
			return apperr.New(apperr.Invalid, "cursor must be the next_cursor of an earlier page")
		}
		after = n
	}
	txs := s.deps.Funds.Book().Transactions(camp.ID, after, limit+1)
	page := ledgerPageOut{Items: make([]ledgerEntryOut, 0, min(len(txs), limit))}
	organizer := runsCampaigns(principal(c))
	for i, t := range txs {
		if i == limit {
			next := strconv.FormatInt(txs[i-1].Seq, 10)
			page.NextCursor = &next
			break
		}
		page.Items = append(page.Items, s.ledgerEntry(c.UserContext(), camp, t, organizer))
	}
	return writeJSON(c, fiber.StatusOK, page)
}

func (s *Server) verifyCampaignLedger(c *fiber.Ctx) error {
	camp, err := s.visibleCampaign(c)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toVerifyOut(s.deps.Funds.Verify(camp.ID)))
}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string           `json:"type"`
	ID         string           `json:"id"`
	Geometry   json.RawMessage  `json:"geometry"`
	Properties campaignMapProps `json:"properties"`
}

type campaignMapProps struct {
	Title         bilingual `json:"title"`
	Target        amountOut `json:"target"`
	Received      amountOut `json:"received"`
	Committed     amountOut `json:"committed"`
	PercentFunded string    `json:"percent_funded"`
	Status        string    `json:"status"`
	Deadline      string    `json:"deadline"`
	ParcelIDs     []string  `json:"parcel_ids"`
}

// campaignGeometry is the outline of the parcels a campaign would buy: the
// parcel's geometry, a GeometryCollection when it names several, nil when
// none can be located.
func (s *Server) campaignGeometry(ctx context.Context, parcelIDs []string) json.RawMessage {
	if s.deps.Parcels == nil {
		return nil
	}
	var gs []json.RawMessage
	for _, id := range parcelIDs {
		if g, ok := s.deps.Parcels.ParcelGeoJSON(ctx, id); ok {
			gs = append(gs, g)
		}
	}
	switch len(gs) {
	case 0:
		return nil
	case 1:
		return gs[0]
	}
	out := append([]byte(nil), `{"type":"GeometryCollection","geometries":[`...)
	for i, g := range gs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, g...)
	}
	return append(out, "]}"...)
}

// campaignMap is the public map layer: one feature per campaign that is not
// a draft, with its parcel's geometry when a parcel store can give it and a
// null geometry otherwise (RFC 7946 allows an unlocated feature).
func (s *Server) campaignMap(c *fiber.Ctx) error {
	cs, _, err := s.deps.Funds.Campaigns(c.UserContext(), fundpool.CampaignFilter{Status: []fundpool.Status{
		fundpool.StatusOpen, fundpool.StatusFunded, fundpool.StatusPurchasing, fundpool.StatusCompleted,
		fundpool.StatusFailed, fundpool.StatusCancelled}})
	if err != nil {
		return err
	}
	fc := featureCollection{Type: "FeatureCollection", Features: make([]feature, 0, len(cs))}
	for _, camp := range cs {
		p := s.deps.Funds.Book().Progress(camp)
		f := feature{Type: "Feature", ID: camp.ID, Geometry: json.RawMessage("null"), Properties: campaignMapProps{
			Title: bilingual(camp.Title), Target: toAmountOut(camp.Target), Received: toAmountOut(p.Received),
			Committed: toAmountOut(p.Committed), PercentFunded: percent(p.PercentFunded), Status: string(camp.Status),
			Deadline: camp.Deadline.UTC().Format("2006-01-02T15:04:05Z07:00"), ParcelIDs: camp.ParcelIDs,
		}}
		if f.Properties.ParcelIDs == nil {
			f.Properties.ParcelIDs = []string{}
		}
		if g := s.campaignGeometry(c.UserContext(), camp.ParcelIDs); g != nil {
			f.Geometry = g
		}
		fc.Features = append(fc.Features, f)
	}
	body, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/geo+json")
	return c.Status(fiber.StatusOK).Send(body)
}
