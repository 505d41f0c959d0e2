package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"commonground/community"
	"commonground/community/householdgen"
)

// Households is the part of the household service the demo drives.
type Households interface {
	Import(ctx context.Context, viewer community.HouseholdViewer, r io.Reader) (*community.HouseholdImportReport, error)
	// IDByExternalID finds an imported household, for the communities
	// that demo households belong to.
	IDByExternalID(externalID string) (id string, ok bool)
}

// demoHouseholds is how many synthetic households the demo registers
// around Phoenix and Talent: enough for the public grid to show cells of
// five or more at a town's scale.
const demoHouseholds = 300

// seedHouseholds registers synthetic households (names such as "Sample
// Rivera 12") through the organizer's CSV import, keyed by external ids
// "demo-0" and up, so that a restart finds them imported and adds nothing.
func seedHouseholds(ctx context.Context, env Env) error {
	if env.Households == nil {
		return nil
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{
		"external_id", "head_name", "other_members", "language", "phone", "email", "lon", "lat", "address",
		"situation", "zip_code", "tenure_before", "income_band", "bedrooms", "accessibility_needs", "pets",
		"interested_in_coop", "interested_in_land_trust", "fema_disaster_number",
		"consent_contact", "consent_matching", "consent_aggregate_statistics", "consent_method",
	})
	for i := range demoHouseholds {
		h := householdgen.Household(2020, i, householdgen.Options{Spread: 0.02})
		var others []string
		for _, m := range h.Members[1:] {
			others = append(others, fmt.Sprintf("%s; %s; %s", m.Name, m.Relationship, m.AgeBand))
		}
		var access []string
		for _, a := range h.Needs.Accessibility {
			access = append(access, string(a))
		}
		gave := func(p community.ConsentPurpose) string {
			for _, c := range h.Consents {
				if c.Purpose == p {
					return "yes"
				}
			}
			return "no"
		}
		_ = w.Write([]string{
			"demo-" + strconv.Itoa(i), h.Members[0].Name, strings.Join(others, " | "), string(h.Language), h.Contact.Phone, h.Contact.Email,
			strconv.FormatFloat(h.LostHome.Location.Lon(), 'f', 6, 64), strconv.FormatFloat(h.LostHome.Location.Lat(), 'f', 6, 64), h.LostHome.Address,
			string(h.Current.Situation), h.Current.ZipCode, string(h.TenureBefore), string(h.IncomeBand), strconv.Itoa(h.Needs.Bedrooms),
			strings.Join(access, ";"), strconv.Itoa(h.Pets.Count), strconv.FormatBool(h.InterestedInCoop), strconv.FormatBool(h.InterestedInLandTrust),
			h.FEMA.DisasterNumber, gave(community.ConsentContact), gave(community.ConsentMatching), gave(community.ConsentAggregateStatistics), "paper_form",
		})
	}
	w.Flush()
	rep, err := env.Households.Import(ctx, community.HouseholdViewer{AccountID: organizer, Role: community.HouseholdViewerOrganizer}, &buf)
	if err != nil {
		return err
	}
	if rep.Rejected > 0 {
		for _, r := range rep.Rows {
			if len(r.Problems) > 0 {
				return fmt.Errorf("%d demo households were rejected; line %d: %s %s", rep.Rejected, r.Line, r.Problems[0].Field, r.Problems[0].Reason)
			}
		}
	}
	return nil
}
