package frontend

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"commonground/community"
)

// The registration form shows the consent texts from the message catalogs
// when the server does not send them, and records their SHA-256 as the
// consent's version. That is only honest if the catalogs hold exactly the
// words the community package publishes.
func TestCatalogConsentTextsMatchPublished(t *testing.T) {
	re := regexp.MustCompile(`"consent\.([a-z_]+)\.text":\s*("(?:[^"\\]|\\.)*")`)
	catalogs := []struct {
		file string
		lang community.HouseholdLanguage
	}{
		{"src/i18n/en.ts", community.HouseholdLanguageEnglish},
		{"src/i18n/es.ts", community.HouseholdLanguageSpanish},
	}
	purposes := []community.ConsentPurpose{community.ConsentContact, community.ConsentMatching, community.ConsentPartnerSharing, community.ConsentAggregateStatistics}
	for _, c := range catalogs {
		src, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		got := map[community.ConsentPurpose]string{}
		for _, m := range re.FindAllSubmatch(src, -1) {
			text, err := strconv.Unquote(string(m[2]))
			if err != nil {
				t.Fatalf("%s: consent.%s.text: %v", c.file, m[1], err)
			}
			got[community.ConsentPurpose(m[1])] = text
		}
		if len(got) != len(purposes) {
			t.Errorf("%s: %d consent texts, want %d", c.file, len(got), len(purposes))
		}
		for _, p := range purposes {
			want, ok := community.CurrentConsentText(p, c.lang)
			if !ok {
				t.Fatalf("no published %s text for %s", c.lang, p)
			}
			if got[p] != want.Text {
				t.Errorf("%s: consent.%s.text = %q, want the published %q", c.file, p, got[p], want.Text)
			}
		}
	}
}
