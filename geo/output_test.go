package geo

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

func TestAppendFeatureCollection(t *testing.T) {
	clockwiseShell := orb.Ring{{0, 0}, {0, 4}, {4, 4}, {4, 0}, {0, 0}}
	ccwHole := orb.Ring{{1, 1}, {2, 1}, {2, 2}, {1, 1}}
	fs := []Feature{
		{ID: "a", Geometry: orb.Polygon{clockwiseShell, ccwHole}, Properties: []byte(`{"acres":1.5}`)},
		{Geometry: orb.Point{-122.123456789, 42.0000004}},
		{ID: `q"t`, Geometry: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}},
	}
	got := string(AppendFeatureCollection(nil, fs))
	want := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","id":"a","geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[2,2],[2,1],[1,1]]]},"properties":{"acres":1.5}},` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[-122.123457,42]},"properties":null},` +
		`{"type":"Feature","id":"q\"t","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]},"properties":null}]}`
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("AppendFeatureCollection (-got +want):\n%s", diff)
	}
	// What we write, we read back as valid.
	fr := NewFeatureReader(stringsReader(got), Rules{Kinds: AnyKind})
	n := 0
	for fr.Next() {
		if _, err := fr.Feature(); err != nil {
			t.Errorf("feature %d does not validate: %v", fr.Index(), err)
		}
		n++
	}
	if fr.Err() != nil || n != len(fs) {
		t.Errorf("read back %d features, err %v", n, fr.Err())
	}
}

func TestNormalize(t *testing.T) {
	in := orb.Polygon{{{0, 0}, {0, 1.00000049}, {1, 1}, {1, 0}, {0, 0}}, {{0.2, 0.2}, {0.4, 0.2}, {0.4, 0.4}, {0.2, 0.2}}}
	want := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, {{0.2, 0.2}, {0.4, 0.4}, {0.4, 0.2}, {0.2, 0.2}}}
	if diff := cmp.Diff(Normalize(in), orb.Geometry(want)); diff != "" {
		t.Errorf("Normalize (-got +want):\n%s", diff)
	}
	if in[0][1][1] != 1.00000049 {
		t.Errorf("Normalize changed its input")
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
