// Package geo holds Common Ground's geometry rules and spatial queries: it
// checks GeoJSON input (RFC 7946), writes normalized GeoJSON, measures
// geodesic distances and areas, keeps in-memory spatial indexes of parcels,
// hazard zones and household points, screens parcels against hazards, ranks
// parcels for a group of households and aggregates household points into
// public grid cells.
//
// The package does no I/O: callers load geometries from their store and feed
// them in. Points are orb.Point{lon, lat} as in GeoJSON. Distances are metres
// on a sphere of radius EarthRadius; areas are square metres on the same
// sphere.
package geo
