package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/auth"
	"commonground/community"
	"commonground/fundpool"
	"commonground/geo"
)

// severities name the severity scale on the wire, lowest first.
var severities = []string{"low", "moderate", "high", "very_high", "extreme"}

func severityName(n int) string {
	if n < 1 || n > len(severities) {
		return ""
	}
	return severities[n-1]
}

// hazardProperties are the properties of a hazard zone Feature: kind,
// severity (a name from the scale or its number 1 to 5), name, source,
// source id and effective date (YYYY-MM-DD or RFC 3339). Unknown
// properties are ignored.
type hazardProperties struct {
	Kind          string          `json:"kind"`
	Severity      json.RawMessage `json:"severity"`
	Name          string          `json:"name"`
	Source        string          `json:"source"`
	SourceID      string          `json:"source_id"`
	EffectiveDate string          `json:"effective_date"`
}

func zoneFromFeature(f geo.Feature, prefix string) (*geo.HazardZone, error) {
	pp := join(prefix, "properties")
	var in hazardProperties
	if err := decodeProperties(f.Properties, &in, pp); err != nil {
		return nil, err
	}
	z := &geo.HazardZone{Hazard: geo.Hazard{Kind: geo.HazardKind(in.Kind), Geometry: f.Geometry},
		Name: in.Name, Source: in.Source, SourceID: in.SourceID}
	if z.SourceID == "" && f.ID != "" {
		z.SourceID = f.ID
	}
	if z.SourceID != "" && z.Source == "" {
		z.Source = "import"
	}
	var fs apperr.Fields
	var name string
	var num int
	switch {
	case json.Unmarshal(in.Severity, &name) == nil:
		for i, s := range severities {
			if s == name {
				z.Severity = i + 1
			}
		}
	case json.Unmarshal(in.Severity, &num) == nil:
		z.Severity = num
	}
	if d := in.EffectiveDate; d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			t, err = time.Parse(time.RFC3339, d)
		}
		if err != nil {
			fs.Add(pp+".effective_date", "must be a date such as 2020-09-08")
		}
		z.EffectiveDate = t.UTC()
	}
	z.Check(&fs, pp)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return z, nil
}

// importHazards reads a FeatureCollection of zones, stores the valid ones
// and re-screens every parcel once. Zones are few and large, so they are
// collected before the one write.
func (s *Server) importHazards(c *fiber.Ctx) error {
	if err := requireMediaType(c, fiber.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := bodyReader(c, importLimit)
	if err != nil {
		return err
	}
	var report importReport
	var zones []*geo.HazardZone
	var idx []int
	fr := geo.NewFeatureReader(body, geo.Rules{})
	for fr.Next() {
		i := fr.Index()
		f, err := fr.Feature()
		if err == nil {
			var z *geo.HazardZone
			if z, err = zoneFromFeature(f, fmt.Sprintf("features.%d", i)); err == nil {
				zones, idx = append(zones, z), append(idx, i)
				continue
			}
		}
		report.reject(i, err)
	}
	if err := fr.Err(); err != nil {
		// Zones are stored in one write at the end: a broken document
		// stores none, so it is simply refused.
		return report.finish(c, err)
	}
	if len(zones) > 0 {
		res, err := s.deps.Geo.PutHazards(c.UserContext(), zones)
		if err != nil {
			return err
		}
		for i, r := range res {
			report.stored(idx[i], r, zones[i].SourceID)
		}
	}
	return report.finish(c, nil)
}

// hazardOut is the properties member of a hazard zone Feature.
type hazardOut struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Severity      string    `json:"severity"`
	Name          string    `json:"name,omitempty"`
	Source        string    `json:"source,omitempty"`
	SourceID      string    `json:"source_id,omitempty"`
	EffectiveDate string    `json:"effective_date,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// listHazards returns the zones meeting bbox (every zone without one).
// Hazard zones come from public sources, so anyone may read them.
func (s *Server) listHazards(c *fiber.Ctx) error {
	b := geo.WorldBound
	if v := c.Query("bbox"); v != "" {
		var err error
		if b, err = parseBBox(v); err != nil {
			return err
		}
	}
	zones, err := s.deps.Geo.HazardsIn(b)
	if err != nil {
		return err
	}
	body := []byte(`{"type":"FeatureCollection","features":[`)
	for i, z := range zones {
		if i > 0 {
			body = append(body, ',')
		}
		out := hazardOut{ID: z.ID, Kind: string(z.Kind), Severity: severityName(z.Severity), Name: z.Name,
			Source: z.Source, SourceID: z.SourceID, CreatedAt: z.CreatedAt, UpdatedAt: z.UpdatedAt}
		if !z.EffectiveDate.IsZero() {
			out.EffectiveDate = z.EffectiveDate.Format(time.DateOnly)
		}
		props, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode hazard zone: %w", err)
		}
		body = geo.AppendFeature(body, geo.Feature{ID: z.ID, Geometry: z.Geometry, Properties: props})
	}
	body = append(body, "]}"...)
	return writeGeoJSON(c, fiber.StatusOK, body)
}

func (s *Server) deleteHazard(c *fiber.Ctx) error {
	if err := s.deps.Geo.DeleteHazard(c.UserContext(), strings.Clone(c.Params("id"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// matchPoint is a place on the wire.
type matchPoint struct {
	Lon    float64 `json:"lon"`
	Lat    float64 `json:"lat"`
	Label  string  `json:"label"`
	Weight float64 `json:"weight"`
}

type matchWeights struct {
	Distance      float64 `json:"distance"`
	Capacity      float64 `json:"capacity"`
	Affordability float64 `json:"affordability"`
	Hazard        float64 `json:"hazard"`
	Points        float64 `json:"points"`
}

// matchRequest names a group and how to rank parcels for it: the
// households by id (their lost homes, where they agreed to matching) and/or
// former homes given as points, with households when the group needs more
// homes than that. community_id is refused until communities list their
// households.
type matchRequest struct {
	HouseholdIDs   []string      `json:"household_ids"`
	CommunityID    string        `json:"community_id"`
	Homes          []matchPoint  `json:"homes"`
	Households     int           `json:"households"`
	Budget         *int64        `json:"budget"`
	Weights        *matchWeights `json:"weights"`
	ExcludeHazards *bool         `json:"exclude_hazards"`
	UnitsPerAcre   float64       `json:"units_per_acre"`
	MaxDistanceM   float64       `json:"max_distance_m"`
	Points         []matchPoint  `json:"points"`
	Limit          int           `json:"limit"`
}

type matchReason struct {
	Part   string  `json:"part"`
	Score  float64 `json:"score"`
	Weight float64 `json:"weight"`
	Value  float64 `json:"value"`
	Detail string  `json:"detail"`
}

type matchResult struct {
	ParcelID string        `json:"parcel_id"`
	Score    float64       `json:"score"`
	Address  string        `json:"address,omitempty"`
	Parts    []matchReason `json:"parts"`
}

type matchResponse struct {
	Results []matchResult `json:"results"`
	Budget  *matchBudget  `json:"budget,omitempty"`
}

// matchBudget says what affordability was judged against: the budget the
// request sent, or what the community's campaigns have for land.
type matchBudget struct {
	Minor       int64    `json:"minor"`
	Currency    string   `json:"currency,omitempty"`
	Source      string   `json:"source"` // "request" or "fund_pool"
	CampaignIDs []string `json:"campaign_ids,omitempty"`
}

// matchCommunity loads the community a match names.
func (s *Server) matchCommunity(c *fiber.Ctx, id string) (*community.Community, error) {
	d, err := s.community()
	if err != nil {
		return nil, err
	}
	cm, err := d.Store.FindCommunityByID(c.UserContext(), id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Validation([]apperr.FieldError{{Field: "community_id", Reason: "no community has this id"}})
	}
	return cm, err
}

// communityBudget sums what the community's linked campaigns that are
// still raising or buying (open, funded, purchasing) have pledged and been
// awarded for land (fundpool.ForLand). It is nil when there are none, or
// no fund pool: affordability is then left neutral.
func (s *Server) communityBudget(ctx context.Context, cm *community.Community) (*matchBudget, error) {
	if s.deps.Funds == nil {
		return nil, nil
	}
	var b *matchBudget
	for _, id := range cm.CampaignIDs {
		camp, err := s.deps.Funds.Campaign(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		switch camp.Status {
		case fundpool.StatusOpen, fundpool.StatusFunded, fundpool.StatusPurchasing:
		default:
			continue
		}
		grants, err := s.deps.Funds.Grants(ctx, id)
		if err != nil {
			return nil, err
		}
		m := fundpool.ForLand(s.deps.Funds.Book().Progress(camp), grants)
		switch {
		case b == nil:
			b = &matchBudget{Currency: m.Currency, Source: "fund_pool"}
		case b.Currency != m.Currency:
			return nil, apperr.Validation([]apperr.FieldError{{Field: "community_id",
				Reason: "the community's campaigns raise money in more than one currency: send budget"}})
		}
		b.Minor += m.Amount
		b.CampaignIDs = append(b.CampaignIDs, id)
	}
	return b, nil
}

// maxMatchHouseholds bounds household_ids: a few times the 3,000
// households of the Almeda Fire.
const maxMatchHouseholds = 10_000

// householdHomes returns the lost homes of the households, as the caller
// may see them: an organizer sees only households that agreed to
// matching, their location snapped to a block. Every read is audited as
// the household routes do; an id the caller may not see is named as
// unknown, never explained.
func (s *Server) householdHomes(c *fiber.Ctx, ids []string) ([]orb.Point, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if s.deps.Households == nil {
		return nil, apperr.Validation([]apperr.FieldError{{Field: "household_ids", Reason: "households are not kept by this service; send homes"}})
	}
	var fs apperr.Fields
	viewer := householdViewer(c)
	homes := make([]orb.Point, 0, len(ids))
	for i, id := range ids {
		r, err := s.deps.Households.Get(viewer, id, community.HouseholdViewOptions{})
		switch {
		case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden):
			fs.Add(fmt.Sprintf("household_ids.%d", i), "no household with this id has agreed to matching")
			continue
		case err != nil:
			return nil, err
		case r.View.Location == nil:
			fs.Add(fmt.Sprintf("household_ids.%d", i), "the household has not given where it lived")
			continue
		}
		if r.Audit {
			if err := s.auditHouseholdRead(c, auth.EventPersonalDataRead, id, r.Purpose); err != nil {
				return nil, err
			}
		}
		homes = append(homes, *r.View.Location)
	}
	return homes, fs.Err()
}

// communityHomes returns the former homes of a community's households (those
// applying, provisional or members) that agreed to matching, each read
// audited, and how many households the community has. A household that did
// not agree to matching is left out of the distances but still counts for
// the homes the land must hold.
func (s *Server) communityHomes(c *fiber.Ctx, cm *community.Community) ([]orb.Point, int, error) {
	d, err := s.community()
	if err != nil {
		return nil, 0, err
	}
	if s.deps.Households == nil {
		return nil, 0, apperr.Validation([]apperr.FieldError{{Field: "community_id", Reason: "households are not kept by this service; send homes"}})
	}
	ctx := c.UserContext()
	members, err := d.Store.FindMemberships(ctx, community.MembershipFilter{CommunityID: cm.ID,
		Statuses: []community.Status{community.StatusApplied, community.StatusProvisional, community.StatusMember}})
	if err != nil {
		return nil, 0, err
	}
	viewer := householdViewer(c)
	seen := map[string]bool{}
	var homes []orb.Point
	for _, m := range members {
		if m.HouseholdID == "" || seen[m.HouseholdID] {
			continue
		}
		seen[m.HouseholdID] = true
		r, err := s.deps.Households.Get(viewer, m.HouseholdID, community.HouseholdViewOptions{})
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			continue // no consent to matching: not read
		}
		if err != nil {
			return nil, 0, err
		}
		if r.Audit {
			if err := s.auditHouseholdRead(c, auth.EventPersonalDataRead, m.HouseholdID, r.Purpose); err != nil {
				return nil, 0, err
			}
		}
		if r.View.Location != nil {
			homes = append(homes, *r.View.Location)
		}
	}
	if len(homes) == 0 {
		return nil, 0, apperr.Validation([]apperr.FieldError{{Field: "community_id",
			Reason: "none of the community's households has agreed to matching and given where it lived"}})
	}
	return homes, len(seen), nil
}

// wireParts maps the domain's part names to the API's.
var wireParts = map[string]string{"places": "points"}

func (s *Server) match(c *fiber.Ctx) error {
	var req matchRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	var fs apperr.Fields
	if len(req.HouseholdIDs) > maxMatchHouseholds {
		fs.Add("household_ids", "must list at most %d households", maxMatchHouseholds)
	}
	if len(req.Homes) == 0 && len(req.HouseholdIDs) == 0 && req.CommunityID == "" {
		fs.Add("homes", "send the group's household_ids, community_id or former homes")
	}
	if len(req.Homes) > 100_000 {
		fs.Add("homes", "must list at most 100000 homes")
	}
	if len(req.Points) > 100 {
		fs.Add("points", "must list at most 100 points")
	}
	if req.Limit < 0 {
		fs.Add("limit", "must not be negative")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	g := geo.Group{Households: req.Households}
	for _, h := range req.Homes {
		g.Homes = append(g.Homes, orb.Point{h.Lon, h.Lat})
	}
	homes, err := s.householdHomes(c, req.HouseholdIDs)
	if err != nil {
		return err
	}
	g.Homes = append(g.Homes, homes...)
	var budget *matchBudget
	if req.CommunityID != "" {
		cm, err := s.matchCommunity(c, req.CommunityID)
		if err != nil {
			return err
		}
		homes, n, err := s.communityHomes(c, cm)
		if err != nil {
			return err
		}
		g.Homes = append(g.Homes, homes...)
		if req.Households == 0 {
			g.Households += n
		}
		if req.Budget == nil {
			if budget, err = s.communityBudget(c.UserContext(), cm); err != nil {
				return err
			}
			if budget != nil {
				g.Budget, g.HasBudget = budget.Minor, true
			}
		}
	}
	for _, p := range req.Points {
		g.Places = append(g.Places, geo.Place{Name: p.Label, Point: orb.Point{p.Lon, p.Lat}, Weight: p.Weight})
	}
	if req.Budget != nil {
		g.Budget, g.HasBudget = *req.Budget, true
		budget = &matchBudget{Minor: *req.Budget, Source: "request"}
	}
	opt := geo.MatchOptions{UnitsPerAcre: req.UnitsPerAcre, MaxDistance: req.MaxDistanceM, Limit: req.Limit}
	if w := req.Weights; w != nil {
		opt.Weights = geo.Weights{Distance: w.Distance, Capacity: w.Capacity, Affordability: w.Affordability,
			Hazard: w.Hazard, Places: w.Points}
	}
	if req.ExcludeHazards != nil {
		opt.ExcludeSeverity = -1 // penalise only
		if *req.ExcludeHazards {
			opt.ExcludeSeverity = 1
		}
	}
	ms, err := s.deps.Geo.Match(c.UserContext(), g, opt)
	if err != nil {
		return err
	}
	resp := matchResponse{Results: make([]matchResult, len(ms)), Budget: budget}
	for i, m := range ms {
		r := matchResult{ParcelID: m.ParcelID, Score: round(m.Score, 6), Parts: make([]matchReason, len(m.Parts))}
		if p, err := s.deps.Geo.Get(m.ParcelID); err == nil {
			r.Address = p.Address
		}
		for j, part := range m.Parts {
			name := part.Name
			if w, ok := wireParts[name]; ok {
				name = w
			}
			r.Parts[j] = matchReason{Part: name, Score: round(part.Score, 6), Weight: part.Weight,
				Value: round(part.Value, 3), Detail: part.Reason}
		}
		resp.Results[i] = r
	}
	return writeJSON(c, fiber.StatusOK, resp)
}
