package community

import (
	"cmp"
	"context"
	"crypto/rand"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/geo"
)

// HouseholdPoint is what the spatial index keeps beside a household's lost
// home: the few facts the public grid counts, so that aggregation never
// reads the records themselves.
type HouseholdPoint struct {
	Size          int
	Bedrooms      int
	Accessibility bool
	Situation     HouseholdSituation
	// Statistics is true when the household agreed to aggregate statistics.
	Statistics bool
}

// Households is the household service: it keeps households in a
// HouseholdStore and serves every lookup, list, duplicate check and map
// query from memory (the directory, the duplicate index and a spatial index
// of lost homes), which it loads at start and updates after each write.
// Authorization is per object: what a caller may see follows ViewHousehold,
// and anything they may not see is NotFound.
type Households struct {
	store  HouseholdStore
	dir    *HouseholdDirectory
	dups   *HouseholdDuplicateIndex
	points *geo.PointIndex[HouseholdPoint]
	now    func() time.Time
	newID  func() string
	// Random supplies claim codes (crypto/rand.Reader when nil).
	Random io.Reader

	// mu makes a write's check, store write and index update one step, so
	// that two registrations for one account cannot both pass the check and
	// an update never applies to a stale copy held in memory.
	mu         sync.Mutex
	remainders []HouseholdRemainder
}

// NewHouseholds returns an empty service over store; call Load before
// serving. newID makes household ids; now is the clock (time.Now when nil).
func NewHouseholds(store HouseholdStore, newID func() string, now func() time.Time) *Households {
	if now == nil {
		now = time.Now
	}
	return &Households{
		store: store, dir: NewHouseholdDirectory(), dups: NewHouseholdDuplicateIndex(),
		points: geo.NewPointIndex[HouseholdPoint](), now: now, newID: newID,
	}
}

// Load reads every stored household and remainder into memory.
func (s *Households) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []geo.PointItem[HouseholdPoint]
	now := s.now()
	rems, err := s.store.LoadHouseholds(ctx, func(h *Household) error {
		if err := s.dir.Put(h); err != nil {
			return apperr.Wrap(apperr.Internal, err, "stored households break the one-per-account rule")
		}
		s.dups.Add(h)
		if it, ok := householdPointItem(h, now); ok {
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.points.Load(items)
	s.remainders = rems
	return nil
}

func householdPointItem(h *Household, now time.Time) (geo.PointItem[HouseholdPoint], bool) {
	if h.LostHome.Location == nil {
		return geo.PointItem[HouseholdPoint]{}, false
	}
	return geo.PointItem[HouseholdPoint]{ID: h.ID, Point: *h.LostHome.Location, Value: HouseholdPoint{
		Size: h.Size(), Bedrooms: h.Needs.Bedrooms, Accessibility: householdNeedsAccessibility(h),
		Situation: h.Current.Situation, Statistics: h.HasConsent(ConsentAggregateStatistics, now),
	}}, true
}

// index puts h into every in-memory index; s.mu must be held.
func (s *Households) index(h *Household) []HouseholdDuplicate {
	_ = s.dir.Put(h) // checked before the store write, under s.mu
	found := s.dups.Add(h)
	if it, ok := householdPointItem(h, s.now()); ok {
		s.points.Put(it.ID, it.Point, it.Value)
	} else {
		s.points.Delete(h.ID)
	}
	return found
}

func (s *Households) random() io.Reader {
	if s.Random != nil {
		return s.Random
	}
	return rand.Reader
}

// Len returns the number of households held.
func (s *Households) Len() int { return s.dir.Len() }

func (v HouseholdViewer) staff() bool {
	return v.Role == HouseholdViewerOrganizer || v.Role == HouseholdViewerSteward
}

// HouseholdRegistrationRequest is a registration as a caller sends it.
type HouseholdRegistrationRequest struct {
	Household *Household
	// OnBehalf is how the family agreed when an organizer registers it for
	// them (organizer_phone, organizer_in_person or paper_form); empty when
	// residents register themselves.
	OnBehalf ConsentMethod
}

// Register stores a new household. A resident registers their own (one per
// account, as head); an organizer or steward registers a family on its
// behalf by setting OnBehalf, and records every consent as taken by them.
// Consents are stamped now: nobody can backdate one. It returns the stored
// household and its likely duplicates, which are linked for review, never
// merged.
func (s *Households) Register(ctx context.Context, viewer HouseholdViewer, req HouseholdRegistrationRequest) (*Household, []HouseholdDuplicate, error) {
	if viewer.AccountID == "" {
		return nil, nil, apperr.New(apperr.Unauthorized, "sign in to register a household")
	}
	in := req.Household.Clone()
	owner := viewer.AccountID
	reg := HouseholdRegistration{By: HouseholdRegisteredBySelf, ConsentMethod: ConsentSelfOnline}
	method, recordedBy := ConsentSelfOnline, ""
	if req.OnBehalf != "" {
		if !viewer.staff() {
			return nil, nil, apperr.New(apperr.Forbidden, "only an organizer may register a household on a family's behalf")
		}
		owner = ""
		reg = HouseholdRegistration{By: HouseholdRegisteredByOrganizer, OrganizerAccountID: viewer.AccountID, ConsentMethod: req.OnBehalf}
		method, recordedBy = req.OnBehalf, viewer.AccountID
	}
	for i := range in.Consents {
		in.Consents[i].Method, in.Consents[i].RecordedBy = method, recordedBy
		in.Consents[i].GivenAt, in.Consents[i].WithdrawnAt = time.Time{}, nil
	}
	h, err := NewHousehold(s.newID(), owner, in, reg, s.now())
	if err != nil {
		return nil, nil, err
	}
	found, err := s.create(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	return h.Clone(), found, nil
}

// create stores a new household. The directory entry is put first, under
// s.mu, so that it reserves the owner account and external id; the store
// write then runs outside the lock, so that concurrent registrations reach
// the store together and are committed in one write. A failed write takes
// the reservation back.
func (s *Households) create(ctx context.Context, h *Household) ([]HouseholdDuplicate, error) {
	s.mu.Lock()
	if err := s.dir.Put(h); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Unlock()
	if err := s.store.CreateHousehold(ctx, h); err != nil {
		s.mu.Lock()
		s.dir.Remove(h.ID)
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index(h), nil
}

// Get returns what viewer may see of household id, or NotFound.
func (s *Households) Get(viewer HouseholdViewer, id string, opts HouseholdViewOptions) (HouseholdReading, error) {
	h, ok := s.dir.ByID(id)
	if !ok {
		return HouseholdReading{}, apperr.New(apperr.NotFound, "household not found")
	}
	return ViewHousehold(h, viewer, opts, s.now())
}

// Mine returns the household whose head is viewer's account, or NotFound.
func (s *Households) Mine(viewer HouseholdViewer) (*Household, error) {
	h, ok := s.dir.ByOwner(viewer.AccountID)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "this account has no household yet")
	}
	return h, nil
}

// Owner returns the account that owns household id (see
// HouseholdDirectory.Owner).
func (s *Households) Owner(id string) (accountID string, ok bool) { return s.dir.Owner(id) }

// OwnedBy returns the id of the household accountID owns.
func (s *Households) OwnedBy(accountID string) (id string, ok bool) { return s.dir.OwnedBy(accountID) }

// IDByExternalID returns the id of the household imported with externalID.
func (s *Households) IDByExternalID(externalID string) (id string, ok bool) {
	return s.dir.IDByExternalID(externalID)
}

// ExportMine returns everything held about viewer's household.
func (s *Households) ExportMine(viewer HouseholdViewer) (HouseholdDataExport, error) {
	h, err := s.Mine(viewer)
	if err != nil {
		return HouseholdDataExport{}, err
	}
	return ExportHouseholdData(h, s.dups.DuplicatesOf(h.ID), s.now()), nil
}

// modifiable returns household id when viewer may change it: its owner, or
// an organizer or steward who can see a household that has no account of
// its own (one they registered for a family). Others get NotFound when they
// cannot see it and Forbidden when they can.
func (s *Households) modifiable(viewer HouseholdViewer, id string) (*Household, error) {
	h, ok := s.dir.ByID(id)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "household not found")
	}
	if viewer.AccountID != "" && viewer.AccountID == h.OwnerAccountID {
		return h, nil
	}
	if _, err := ViewHousehold(h, viewer, HouseholdViewOptions{}, s.now()); err != nil {
		return nil, err
	}
	if h.OwnerAccountID == "" {
		return h, nil
	}
	return nil, apperr.New(apperr.Forbidden, "only the household itself may change its record")
}

// HouseholdConsentChanges gives and withdraws consents in one correction.
type HouseholdConsentChanges struct {
	Give     []Consent
	Withdraw []ConsentPurpose
}

// Update applies a correction and consent changes. When ifVersion is not
// zero it must equal the stored version, so that an edit made on a stale
// screen is refused with Conflict instead of undoing someone else's.
func (s *Households) Update(ctx context.Context, viewer HouseholdViewer, id string, ifVersion int64, u HouseholdUpdate, cc HouseholdConsentChanges) (*Household, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.modifiable(viewer, id)
	if err != nil {
		return nil, err
	}
	if ifVersion != 0 && ifVersion != h.Version {
		return nil, apperr.New(apperr.Conflict, "the household was changed meanwhile (version %d, not %d); reload it and try again", h.Version, ifVersion)
	}
	now := s.now()
	c, err := ApplyHouseholdUpdate(h, u, now)
	if err != nil {
		return nil, err
	}
	method, recordedBy := ConsentSelfOnline, ""
	if viewer.AccountID != h.OwnerAccountID {
		method, recordedBy = h.RegisteredBy.ConsentMethod, viewer.AccountID
	}
	for _, p := range cc.Withdraw {
		if c, _, err = WithdrawConsent(c, p, now); err != nil {
			return nil, err
		}
	}
	for _, g := range cc.Give {
		g.Method, g.RecordedBy, g.GivenAt, g.WithdrawnAt = method, recordedBy, time.Time{}, nil
		if c, err = GiveConsent(c, g, now); err != nil {
			return nil, err
		}
	}
	if len(c.Voters) > adultsBesidesHead(c) {
		return nil, apperr.New(apperr.Conflict, "%d adults of the household vote with their own accounts: take one off before removing them from the household", len(c.Voters))
	}
	// One stored write, whatever number of steps made it.
	c.Version = h.Version + 1
	if err := s.commit(ctx, c); err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// commit stores c, a changed copy of a stored household whose Version is
// one more than the stored one, and puts it in the in-memory indexes, or
// changes nothing. s.mu must be held.
func (s *Households) commit(ctx context.Context, c *Household) error {
	if err := s.dir.Check(c); err != nil {
		return err
	}
	if err := s.store.UpdateHousehold(ctx, c); err != nil {
		return err
	}
	s.index(c)
	return nil
}

// Delete erases household id, keeping only its anonymous remainder. Its
// owner may delete it; so may a steward who can see it, and an organizer who
// can see a household with no account of its own.
func (s *Households) Delete(ctx context.Context, viewer HouseholdViewer, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.modifiable(viewer, id)
	if apperr.Is(err, apperr.Forbidden) && viewer.Role == HouseholdViewerSteward {
		h, _ = s.dir.ByID(id)
		err = nil
	}
	if err != nil {
		return err
	}
	rem := EraseHousehold(h, s.now())
	if err := s.store.DeleteHousehold(ctx, id, rem); err != nil {
		return err
	}
	s.dir.Remove(id)
	s.dups.Remove(id)
	s.points.Delete(id)
	s.remainders = append(s.remainders, rem)
	return nil
}

// HouseholdFilter selects households for an organizer's list. Zero fields
// do not filter.
type HouseholdFilter struct {
	// Near and RadiusMetres select lost homes within the radius.
	Near         *orb.Point
	RadiusMetres float64
	// Bound selects lost homes inside a box (west may exceed east across
	// the antimeridian).
	Bound             *geo.Bound
	MinSize, MaxSize  int
	MinBedrooms       int
	Accessibility     bool // only households with an accessibility need
	Situation         HouseholdSituation
	Consent           ConsentPurpose // only households with this consent in force
	PossibleDuplicate *bool
	// After is the id of the last household of the previous page.
	After string
	Limit int
}

// Page sizes of the household list.
const (
	HouseholdDefaultPage = 50
	HouseholdMaxPage     = 500
)

// HouseholdListItem is one household in an organizer's list: a view as
// ViewHousehold allows, and whether it has possible duplicates.
type HouseholdListItem struct {
	View              HouseholdView
	PossibleDuplicate bool
	// Purpose is the ground of the read, for the audit entry the caller
	// writes (see HouseholdReading).
	Purpose string
}

// HouseholdPage is one page of the list; Next is the cursor of the next
// page, empty on the last.
type HouseholdPage struct {
	Items []HouseholdListItem
	Next  string
}

// List returns the households viewer may see that pass f, ordered by id.
func (s *Households) List(ctx context.Context, viewer HouseholdViewer, f HouseholdFilter) (HouseholdPage, error) {
	if !viewer.staff() {
		return HouseholdPage{}, apperr.New(apperr.Forbidden, "only organizers and stewards may list households")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = HouseholdDefaultPage
	}
	limit = min(limit, HouseholdMaxPage)
	var spatial map[string]bool
	if f.Near != nil || f.Bound != nil {
		snap := s.points.Snapshot()
		spatial = map[string]bool{}
		var err error
		switch {
		case f.Near != nil:
			err = snap.Within(ctx, *f.Near, f.RadiusMetres, func(it geo.PointItem[HouseholdPoint]) bool {
				if f.Bound == nil || f.Bound.Contains(it.Point) {
					spatial[it.ID] = true
				}
				return true
			})
		default:
			err = snap.Search(ctx, *f.Bound, func(it geo.PointItem[HouseholdPoint]) bool {
				spatial[it.ID] = true
				return true
			})
		}
		if err != nil {
			return HouseholdPage{}, apperr.Wrap(apperr.Unavailable, err, "the list took too long; narrow the filter")
		}
	}
	var candidates []*Household
	if spatial != nil {
		for id := range spatial {
			if h, ok := s.dir.ByID(id); ok {
				candidates = append(candidates, h)
			}
		}
	} else {
		candidates = s.dir.All()
	}
	slices.SortFunc(candidates, func(a, b *Household) int { return cmp.Compare(a.ID, b.ID) })
	now := s.now()
	var page HouseholdPage
	for i, h := range candidates {
		if i%256 == 0 && ctx.Err() != nil {
			return HouseholdPage{}, apperr.Wrap(apperr.Unavailable, ctx.Err(), "the list took too long; narrow the filter")
		}
		if h.ID <= f.After || !f.matches(h, now) {
			continue
		}
		dup := len(s.dups.DuplicatesOf(h.ID)) > 0
		if f.PossibleDuplicate != nil && *f.PossibleDuplicate != dup {
			continue
		}
		r, err := ViewHousehold(h, viewer, HouseholdViewOptions{}, now)
		if err != nil {
			continue
		}
		if len(page.Items) == limit {
			page.Next = page.Items[limit-1].View.ID
			break
		}
		page.Items = append(page.Items, HouseholdListItem{View: r.View, PossibleDuplicate: dup, Purpose: r.Purpose})
	}
	return page, nil
}

func (f HouseholdFilter) matches(h *Household, now time.Time) bool {
	n := h.Size()
	return (f.MinSize == 0 || n >= f.MinSize) &&
		(f.MaxSize == 0 || n <= f.MaxSize) &&
		h.Needs.Bedrooms >= f.MinBedrooms &&
		(!f.Accessibility || householdNeedsAccessibility(h)) &&
		(f.Situation == "" || h.Current.Situation == f.Situation) &&
		(f.Consent == "" || h.HasConsent(f.Consent, now))
}

// Duplicates returns the pairs flagged as likely the same family whose two
// households viewer may both see.
func (s *Households) Duplicates(viewer HouseholdViewer) ([]HouseholdDuplicatePair, error) {
	if !viewer.staff() {
		return nil, apperr.New(apperr.Forbidden, "only organizers and stewards review duplicates")
	}
	now := s.now()
	visible := func(id string) bool {
		h, ok := s.dir.ByID(id)
		if !ok {
			return false
		}
		_, err := ViewHousehold(h, viewer, HouseholdViewOptions{}, now)
		return err == nil
	}
	out := []HouseholdDuplicatePair{}
	for _, p := range s.dups.Pairs() {
		if visible(p.A) && visible(p.B) {
			out = append(out, p)
		}
	}
	return out, nil
}

// MarkNotDuplicate records an organizer's review: id and other are
// different families. Both must be visible to viewer. The decision is
// stored in household id and survives a restart.
func (s *Households) MarkNotDuplicate(ctx context.Context, viewer HouseholdViewer, id, other string) (*Household, error) {
	if !viewer.staff() {
		return nil, apperr.New(apperr.Forbidden, "only organizers and stewards review duplicates")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	h, ok := s.dir.ByID(id)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "household not found")
	}
	if _, err := ViewHousehold(h, viewer, HouseholdViewOptions{}, now); err != nil {
		return nil, err
	}
	o, ok := s.dir.ByID(other)
	if ok {
		_, err := ViewHousehold(o, viewer, HouseholdViewOptions{}, now)
		ok = err == nil
	}
	if !ok || other == id {
		var f apperr.Fields
		f.Add("other_id", "must name another household you can see")
		return nil, f.Err()
	}
	c := MarkHouseholdNotDuplicate(h, other)
	if len(c.NotDuplicateOf) == len(h.NotDuplicateOf) {
		s.dups.MarkNotDuplicate(id, other)
		return h, nil
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Touch(now)
	if err := s.commit(ctx, c); err != nil {
		return nil, err
	}
	s.dups.MarkNotDuplicate(id, other)
	return c.Clone(), nil
}

// ExportCSV writes the households viewer may see as CSV, ordered by id.
// The result lists the households whose data was shown, for the audit log.
func (s *Households) ExportCSV(w io.Writer, viewer HouseholdViewer, sensitive bool) (CSVExportResult, error) {
	if !viewer.staff() {
		return CSVExportResult{}, apperr.New(apperr.Forbidden, "only organizers and stewards may export households")
	}
	all := s.dir.All()
	slices.SortFunc(all, func(a, b *Household) int { return cmp.Compare(a.ID, b.ID) })
	return WriteHouseholdsCSV(w, all, CSVExportOptions{Viewer: viewer, Sensitive: sensitive, Now: s.now()})
}

// HouseholdImportRow adds the stored id to a row of the import report.
type HouseholdImportRow struct {
	CSVImportRow
	HouseholdID string
}

// HouseholdImportReport is the report of an import, row by row.
type HouseholdImportReport struct {
	Rows                                []HouseholdImportRow
	Accepted, Rejected, AlreadyImported int
}

// Import registers the families in an organizer's CSV file. A problem with
// the file as a whole stores nothing; otherwise each valid row is stored
// and each bad row is reported with its reasons. A row whose external id is
// already stored, by an earlier import or a concurrent one, is reported as
// already imported, so importing a file twice is harmless.
func (s *Households) Import(ctx context.Context, viewer HouseholdViewer, r io.Reader) (*HouseholdImportReport, error) {
	if !viewer.staff() {
		return nil, apperr.New(apperr.Forbidden, "only organizers and stewards may import households")
	}
	rep, err := ParseHouseholdsCSV(r, CSVImportOptions{OrganizerAccountID: viewer.AccountID, Now: s.now(), Exists: s.dir.HasExternalID})
	if err != nil {
		return nil, err
	}
	out := &HouseholdImportReport{Rows: make([]HouseholdImportRow, len(rep.Rows))}
	for i, row := range rep.Rows {
		out.Rows[i].CSVImportRow = row
		if row.Status == CSVRowAccepted {
			id, err := s.importRow(ctx, row.Household)
			switch {
			case apperr.Is(err, apperr.Conflict):
				out.Rows[i].Status = CSVRowAlreadyImported
			case err != nil:
				return out, err
			default:
				out.Rows[i].HouseholdID = id
			}
		}
		out.Rows[i].Household = nil
		switch out.Rows[i].Status {
		case CSVRowAccepted:
			out.Accepted++
		case CSVRowRejected:
			out.Rejected++
		case CSVRowAlreadyImported:
			out.AlreadyImported++
		}
	}
	return out, nil
}

func (s *Households) importRow(ctx context.Context, h *Household) (string, error) {
	h = h.Clone()
	h.ID = s.newID()
	if _, err := s.create(ctx, h); err != nil {
		return "", err
	}
	return h.ID, nil
}

// Remainders returns the anonymous remainders of erased households.
func (s *Households) Remainders() []HouseholdRemainder {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.remainders)
}

// Points returns the current snapshot of the lost-home index, for the
// public grid.
func (s *Households) Points() *geo.PointSnapshot[HouseholdPoint] { return s.points.Snapshot() }
