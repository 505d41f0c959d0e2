package server_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"commonground/auth"
	"commonground/community"
	"commonground/service"
	"commonground/service/servicetest"
)

// clock is the community routes' clock in tests: it stands still until a
// test moves it, so that provisional periods and voting windows can be
// crossed without waiting.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// communityEnv is a running service whose community clock the test moves.
type communityEnv struct {
	*servicetest.Env
	clock *clock
}

func startCommunities(t testing.TB) *communityEnv {
	t.Helper()
	clk := &clock{now: time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)}
	env := servicetest.Start(t, func(c *service.Config) { c.Now = clk.Now })
	return &communityEnv{Env: env, clock: clk}
}

// user is an account and its token.
type user struct {
	ID    string
	Token string
}

func (u user) auth() []string {
	if u.Token == "" {
		return nil
	}
	return servicetest.Bearer(u.Token)
}

func newUser(t testing.TB, env *servicetest.Env, roles ...auth.Role) user {
	t.Helper()
	id, token := env.Account(t, roles...)
	return user{ID: id, Token: token}
}

// households counts the households tests register, so that each gets
// different synthetic names.
var households atomic.Int64

// home registers a household with u as its head through the household
// routes and returns its id.
func home(t testing.TB, env *servicetest.Env, u user) string {
	t.Helper()
	var h struct {
		ID string `json:"id"`
	}
	call(t, env, u, "POST", "/api/v1/households", householdBody(int(households.Add(1))), 201, &h)
	return h.ID
}

// call sends a request as u and fails the test unless the status is want;
// it decodes a successful body into out when out is not nil.
func call(t testing.TB, env *servicetest.Env, u user, method, path string, body any, want int, out any) *servicetest.Response {
	t.Helper()
	r := env.Do(t, method, path, body, u.auth()...)
	if r.Status != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if out != nil {
		r.JSON(t, out)
	}
	return r
}

// Wire shapes the tests read back.
type communityOut struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Revision  int64    `json:"revision"`
	YourRoles []string `json:"yourRoles"`
	Bylaws    struct {
		Version int `json:"version"`
	} `json:"bylaws"`
}

type membershipOut struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	HouseholdID   string `json:"householdId"`
	PersonID      string `json:"personId"`
	Organisation  string `json:"organisationName"`
	OrgKey        string `json:"organisationId"`
	Representing  string `json:"representativeId"`
	NextMilestone *struct {
		Key string `json:"key"`
	} `json:"nextMilestone"`
	Milestones []struct {
		Key        string `json:"key"`
		As         string `json:"as"`
		ProposalID string `json:"proposalId"`
	} `json:"milestones"`
	Paid   moneyJSON `json:"paid"`
	Refund *struct {
		Amount moneyJSON `json:"amount"`
		Steps  []string  `json:"steps"`
	} `json:"refund"`
	Revision int64 `json:"revision"`
}

type moneyJSON struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

type proposalOut struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Anonymous  bool   `json:"anonymous"`
	Eligible   int    `json:"eligible"`
	YourVoters []struct {
		Key    string `json:"key"`
		Weight int    `json:"weight"`
	} `json:"yourVoters"`
}

type resultOut struct {
	Eligible     int    `json:"eligible"`
	Ballots      int    `json:"ballots"`
	BallotWeight int64  `json:"ballotWeight"`
	QuorumMet    bool   `json:"quorumMet"`
	Agrees       int    `json:"agrees"`
	Blocks       int    `json:"blocks"`
	StandAsides  int    `json:"standAsides"`
	Winner       string `json:"winner"`
	Outcome      string `json:"outcome"`
	Adopted      bool   `json:"adopted"`
	Counts       []struct {
		Option  string `json:"option"`
		Ballots int    `json:"ballots"`
		Weight  int64  `json:"weight"`
	} `json:"counts"`
}

type voteOut struct {
	Option   string `json:"option"`
	VoterKey string `json:"voterKey"`
	Replaced bool   `json:"replaced"`
	Secret   string `json:"secret"`
}

// bylawsBody writes bylaws as the API reads them.
func bylawsBody(b community.Bylaws) map[string]any {
	classes := []any{}
	for _, c := range b.Classes {
		pathway := []any{}
		for _, m := range c.Pathway {
			vs := []string{}
			for _, v := range m.VerifiedBy {
				vs = append(vs, string(v))
			}
			pathway = append(pathway, map[string]any{"key": m.Key, "kind": m.Kind, "name": m.Name, "days": m.Days, "verifiedBy": vs})
		}
		classes = append(classes, map[string]any{"key": c.Key, "name": c.Name, "eligible": c.Eligible,
			"share":      map[string]any{"amount": map[string]any{"minor": c.Share.Amount.Minor, "currency": c.Share.Amount.Currency}, "instalments": c.Share.Instalments, "refundable": c.Share.Refundable},
			"voteWeight": c.VoteWeight, "voteBasis": c.VoteBasis, "boardSeats": c.BoardSeats, "mayPropose": c.MayPropose, "pathway": pathway})
	}
	rules := []any{}
	for _, r := range b.Rules {
		rules = append(rules, map[string]any{"kind": r.Kind, "method": r.Method, "quorum": r.Quorum,
			"minWindow": r.MinWindow.String(), "maxWindow": r.MaxWindow.String(), "allowChange": r.AllowChange, "anonymous": r.Anonymous})
	}
	return map[string]any{"version": b.Version, "classes": classes, "rules": rules,
		"exit":  map[string]any{"method": b.Exit.Method, "yearlyRate": b.Exit.YearlyRate, "byIndex": b.Exit.ByIndex, "cap": b.Exit.Cap, "rounding": b.Exit.Rounding},
		"board": map[string]any{"seats": b.Board.Seats, "regionalSeats": b.Board.RegionalSeats, "staffSeats": b.Board.StaffSeats, "regionalClasses": b.Board.RegionalClasses}}
}

func communityBody(c community.Community) map[string]any {
	regions := []any{}
	for _, r := range c.Regions {
		regions = append(regions, map[string]any{"key": r.Key, "name": r.Name})
	}
	return map[string]any{"name": c.Name, "model": c.Model, "regions": regions, "bylaws": bylawsBody(c.Bylaws)}
}

// model names a model community constructor.
type model func(id, adminID string, now time.Time) community.Community

// found creates a model community through the API with admin (an
// organizer) as its first community admin.
func found(t testing.TB, env *servicetest.Env, admin user, m model) communityOut {
	t.Helper()
	var out communityOut
	call(t, env, admin, "POST", "/api/v1/communities", communityBody(m("", admin.ID, time.Time{})), 201, &out)
	return out
}

func communityPath(id string, rest ...any) string {
	p := "/api/v1/communities/" + id
	for _, r := range rest {
		p += "/" + fmt.Sprint(r)
	}
	return p
}

// proposalBody drafts a proposal opening now on the community clock.
func proposalBody(kind string, opens time.Time, window time.Duration, options bool) map[string]any {
	b := map[string]any{"kind": kind, "opens": opens, "closes": opens.Add(window),
		"text": map[string]any{"en": map[string]any{"title": "Motion " + kind, "body": "Text"}, "es": map[string]any{"title": "Moción " + kind, "body": "Texto"}}}
	if options {
		b["options"] = []any{
			map[string]any{"key": "yes", "label": map[string]string{"en": "Yes", "es": "Sí"}},
			map[string]any{"key": "no", "label": map[string]string{"en": "No", "es": "No"}},
			map[string]any{"key": "abstain", "label": map[string]string{"en": "Abstain", "es": "Abstención"}, "abstain": true},
		}
	}
	return b
}
