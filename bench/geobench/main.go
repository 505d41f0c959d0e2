// Command geobench measures the geo figures that need more than a Go
// benchmark: starting the service over 200,000 stored parcels, and the
// same viewport and nearest queries answered by the in-memory index and by
// PostGIS. The scripts bench/geo-load.sh, bench/geo-http.sh and
// bench/postgis.sh drive it; every dataset is generated, never committed.
//
//	geobench seed -data-dir DIR [-parcels N]   store N parcels and 50 hazard zones
//	geobench start -data-dir DIR [-runs 3]     time service start-up over DIR
//	geobench viewport [-parcels N] [-want 300] print a bbox holding about want parcels
//	geobench postgis -psql 'psql ARGS' [-parcels N] [-queries Q]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"commonground/geo"
	"commonground/geo/geogen"
	"commonground/service"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: geobench seed|start|viewport|postgis [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dataDir := fs.String("data-dir", "", "data directory of the service")
	n := fs.Int("parcels", 200_000, "parcels to generate")
	runs := fs.Int("runs", 3, "start-ups to time")
	want := fs.Int("want", 300, "parcels the viewport should hold")
	psql := fs.String("psql", "psql", "psql command line reaching the PostGIS server")
	queries := fs.Int("queries", 1000, "queries of each kind")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	_ = fs.Parse(os.Args[2:])
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "geobench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(ctx, *dataDir, *n)
	case "start":
		err = start(ctx, *dataDir, *runs)
	case "viewport":
		b := viewportFor(parcels(*n), *want)
		fmt.Printf("%.6f,%.6f,%.6f,%.6f\n", b.West, b.South, b.East, b.North)
	case "postgis":
		err = compare(ctx, *psql, *n, *queries)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "geobench:", err)
		os.Exit(1)
	}
}

// parcels generates the benchmark parcels of the geo package's benchmarks.
func parcels(n int) []geogen.Parcel {
	return geogen.New(2026).Parcels(n, geogen.Towns, geogen.County)
}

func open(ctx context.Context, dir string) (*service.Service, error) {
	return service.Open(ctx, service.Config{DataDir: dir, MongoDatabase: "commonground",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
}

// seed stores the parcels and 50 hazard zones of 64 vertices through the
// service, as an import would.
func seed(ctx context.Context, dir string, n int) error {
	if dir == "" {
		return fmt.Errorf("-data-dir is required")
	}
	svc, err := open(ctx, dir)
	if err != nil {
		return err
	}
	defer svc.Close(time.Second)
	start := time.Now()
	ps := parcels(n)
	batch := make([]*geo.Parcel, 0, 5000)
	for i, g := range ps {
		batch = append(batch, &geo.Parcel{Source: "bench", SourceID: g.ID, APN: g.APN, Address: g.Address,
			LandUse: g.LandUse, Zoning: g.Zoning, AskingPrice: g.AskingPrice, Currency: "USD",
			Status: geo.StatusIdentified, Geometry: g.Geometry})
		if len(batch) == cap(batch) || i == len(ps)-1 {
			if _, err := svc.Parcels.Put(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	hs := geogen.New(2026).Hazards(50, 64, geogen.County)
	zones := make([]*geo.HazardZone, len(hs))
	for i, h := range hs {
		zones[i] = &geo.HazardZone{Hazard: h, Source: "bench", SourceID: h.ID}
	}
	if _, err := svc.Parcels.PutHazards(ctx, zones); err != nil {
		return err
	}
	fmt.Printf("seeded %d parcels and %d hazard zones in %.1f s\n", svc.Parcels.Len(), len(zones), time.Since(start).Seconds())
	return nil
}

// start opens the service over dir runs times, as a restart does, and
// reports the median time to serve.
func start(ctx context.Context, dir string, runs int) error {
	var times, cpus []float64
	n := 0
	for range runs {
		t0, c0 := time.Now(), cpuSeconds()
		svc, err := open(ctx, dir)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t0).Seconds())
		cpus = append(cpus, cpuSeconds()-c0)
		n = svc.Parcels.Len()
		if err := svc.Close(time.Second); err != nil {
			return err
		}
	}
	slices.Sort(times)
	slices.Sort(cpus)
	fmt.Printf("start-up with %d parcels loaded and screened: median %.2f s wall, %.2f s CPU (user+sys, embedded store included) of %d runs (wall %v)\n",
		n, times[len(times)/2], cpus[len(cpus)/2], runs, fmtSecs(times))
	return nil
}

// cpuSeconds is the CPU time this process has used, which a machine
// shared with other work does not inflate the way it inflates wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func fmtSecs(ts []float64) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.FormatFloat(t, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}

// viewportFor grows a square around the densest town until it holds about
// want parcels.
func viewportFor(ps []geogen.Parcel, want int) geo.Bound {
	c := geogen.Towns[0].Center
	count := func(half float64) int {
		b := orb.Bound{Min: orb.Point{c[0] - half, c[1] - half}, Max: orb.Point{c[0] + half, c[1] + half}}
		k := 0
		for _, p := range ps {
			if b.Intersects(p.Geometry.Bound()) {
				k++
			}
		}
		return k
	}
	lo, hi := 0.0, 0.5
	for range 40 {
		mid := (lo + hi) / 2
		if count(mid) < want {
			lo = mid
		} else {
			hi = mid
		}
	}
	return geo.Bound{West: c[0] - hi, South: c[1] - hi, East: c[0] + hi, North: c[1] + hi}
}

// queriesFor makes the same random viewports (about 100 parcels each) and
// nearest points for both engines.
func queriesFor(ps []geogen.Parcel, q int) ([]geo.Bound, []orb.Point) {
	r := rand.New(rand.NewPCG(7, 7))
	boxes := make([]geo.Bound, q)
	points := make([]orb.Point, q)
	for i := range q {
		c := ps[r.IntN(len(ps))].Geometry.Bound().Center()
		// About 100 parcels on average at 200,000 parcels (more in a
		// town, fewer in the country): a map at street zoom.
		boxes[i] = geo.Bound{West: c[0] - 0.0024, South: c[1] - 0.0016, East: c[0] + 0.0024, North: c[1] + 0.0016}
		points[i] = ps[r.IntN(len(ps))].Geometry.Bound().Center()
	}
	return boxes, points
}

// compare loads the parcels into PostGIS with GiST indexes and times the
// same viewport and nearest queries there (inside the server, so no client
// round trip counts) and in the in-memory index.
func compare(ctx context.Context, psql string, n, q int) error {
	ps := parcels(n)
	boxes, points := queriesFor(ps, q)

	ix := geo.NewIndex[int]()
	items := make([]geo.Item[int], len(ps))
	for i, p := range ps {
		items[i] = geo.Item[int]{ID: p.ID, Geometry: p.Geometry, Value: i}
	}
	ix.Load(items)
	snap := ix.Snapshot()
	found := 0
	t0 := time.Now()
	for _, b := range boxes {
		_ = snap.Intersecting(ctx, b, func(*geo.Item[int]) bool { found++; return true })
	}
	goViewport := time.Since(t0) / time.Duration(q)
	t0 = time.Now()
	for _, p := range points {
		if _, err := snap.Nearest(ctx, p, 10, nil); err != nil {
			return err
		}
	}
	goNearest := time.Since(t0) / time.Duration(q)

	dir, err := os.MkdirTemp("", "geobench-postgis-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	var csv bytes.Buffer
	for _, p := range ps {
		fmt.Fprintf(&csv, "%s\t%s\n", p.ID, wkt.MarshalString(p.Geometry))
	}
	var qcsv bytes.Buffer
	for i := range boxes {
		b := boxes[i]
		fmt.Fprintf(&qcsv, "%d\t%g\t%g\t%g\t%g\t%g\t%g\n", i, b.West, b.South, b.East, b.North, points[i][0], points[i][1])
	}
	parcelsFile, queriesFile := filepath.Join(dir, "parcels.tsv"), filepath.Join(dir, "queries.tsv")
	if err := os.WriteFile(parcelsFile, csv.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(queriesFile, qcsv.Bytes(), 0o644); err != nil {
		return err
	}
	load := fmt.Sprintf(`
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS parcels, queries;
CREATE TABLE parcels (id text PRIMARY KEY, geom geometry(Polygon, 4326));
CREATE TEMP TABLE raw (id text, wkt text);
\copy raw FROM '%s'
INSERT INTO parcels SELECT id, ST_GeomFromText(wkt, 4326) FROM raw;
CREATE INDEX parcels_geom ON parcels USING gist (geom);
CREATE INDEX parcels_geog ON parcels USING gist ((geom::geography));
CREATE TABLE queries (i int, w float8, s float8, e float8, n float8, lon float8, lat float8);
\copy queries FROM '%s'
VACUUM ANALYZE parcels;
`, parcelsFile, queriesFile)
	t0 = time.Now()
	if _, err := runPSQL(psql, load); err != nil {
		return err
	}
	loadTime := time.Since(t0)
	// Viewport: boxes then the exact test, as the index does. Nearest:
	// the true geodesic order (geography KNN), as the index gives.
	timing := `
DO $$
DECLARE q record; t0 timestamptz; total_v interval := '0'; total_n interval := '0'; c bigint; found bigint := 0;
BEGIN
  -- warm the cache and the plans
  FOR q IN SELECT * FROM queries LIMIT 50 LOOP
    SELECT count(*) INTO c FROM parcels WHERE geom && ST_MakeEnvelope(q.w, q.s, q.e, q.n, 4326) AND ST_Intersects(geom, ST_MakeEnvelope(q.w, q.s, q.e, q.n, 4326));
    PERFORM id FROM parcels ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326)::geography LIMIT 10;
  END LOOP;
  FOR q IN SELECT * FROM queries ORDER BY i LOOP
    t0 := clock_timestamp();
    SELECT count(*) INTO c FROM parcels WHERE geom && ST_MakeEnvelope(q.w, q.s, q.e, q.n, 4326) AND ST_Intersects(geom, ST_MakeEnvelope(q.w, q.s, q.e, q.n, 4326));
    total_v := total_v + (clock_timestamp() - t0);
    found := found + c;
    t0 := clock_timestamp();
    PERFORM id FROM parcels ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326)::geography LIMIT 10;
    total_n := total_n + (clock_timestamp() - t0);
  END LOOP;
  RAISE NOTICE 'viewport_us=% nearest_us=% found=%',
    extract(epoch FROM total_v) * 1e6 / (SELECT count(*) FROM queries),
    extract(epoch FROM total_n) * 1e6 / (SELECT count(*) FROM queries), found;
END $$;`
	out, err := runPSQL(psql, timing)
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`viewport_us=([0-9.e+-]+) nearest_us=([0-9.e+-]+) found=([0-9]+)`).FindStringSubmatch(out)
	if m == nil {
		return fmt.Errorf("no timing in the PostGIS output:\n%s", out)
	}
	pgV, _ := strconv.ParseFloat(m[1], 64)
	pgN, _ := strconv.ParseFloat(m[2], 64)
	pgFound, _ := strconv.Atoi(m[3])
	if pgFound != found {
		return fmt.Errorf("the engines disagree: PostGIS found %d parcels in the viewports, the index %d", pgFound, found)
	}
	goV, goN := float64(goViewport.Nanoseconds())/1000, float64(goNearest.Nanoseconds())/1000
	fmt.Printf("data: %d parcels (loaded into PostGIS with GiST indexes in %.1f s); %d queries of each kind, same answers (%d parcels in the viewports, mean %.0f each)\n",
		n, loadTime.Seconds(), q, found, float64(found)/float64(q))
	fmt.Printf("%-34s %12s %12s %8s\n", "query (mean per query)", "geo index", "PostGIS", "ratio")
	fmt.Printf("%-34s %9.1f µs %9.1f µs %7.0fx\n", "viewport, exact intersects", goV, pgV, pgV/goV)
	fmt.Printf("%-34s %9.1f µs %9.1f µs %7.0fx\n", "nearest 10, geodesic order", goN, pgN, pgN/goN)
	return nil
}

// runPSQL runs script through psql and returns its output (notices
// included); any error stops the script.
func runPSQL(psql, script string) (string, error) {
	args := strings.Fields(psql)
	cmd := exec.Command(args[0], append(args[1:], "-X", "-q", "-v", "ON_ERROR_STOP=1")...)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("psql: %v\n%s", err, out)
	}
	return string(out), nil
}
