package geo

import (
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// cowIndex is the storage both Index and PointIndex use: an R-tree of
// entries E owned by serialized writers, published to readers as
// copy-on-write snapshots, and a map from id to the stored value V for
// lookups and deletes.
type cowIndex[V any, E comparable] struct {
	id    func(V) string
	entry func(V) (orb.Bound, E)

	mu   sync.Mutex // serializes writers
	tree rtree.RTreeG[E]
	snap atomic.Pointer[rtree.RTreeG[E]]

	// idmu is held by writers only for a map assignment, so lookups by id
	// never wait long.
	idmu sync.RWMutex
	ids  map[string]V
}

func newCowIndex[V any, E comparable](id func(V) string, entry func(V) (orb.Bound, E)) *cowIndex[V, E] {
	c := &cowIndex[V, E]{id: id, entry: entry, ids: map[string]V{}}
	c.snap.Store(&rtree.RTreeG[E]{})
	return c
}

func (c *cowIndex[V, E]) snapshot() *rtree.RTreeG[E] { return c.snap.Load() }

func (c *cowIndex[V, E]) get(id string) (V, bool) {
	c.idmu.RLock()
	defer c.idmu.RUnlock()
	v, ok := c.ids[id]
	return v, ok
}

func (c *cowIndex[V, E]) len() int {
	c.idmu.RLock()
	defer c.idmu.RUnlock()
	return len(c.ids)
}

// putMany inserts or replaces values and publishes once; reset replaces
// the whole content (the start-up load), with vals free of repeated ids.
func (c *cowIndex[V, E]) putMany(reset bool, vals []V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if reset {
		// Build privately, then swap: no lock per item.
		ids := make(map[string]V, len(vals))
		var tree rtree.RTreeG[E]
		for _, v := range vals {
			b, e := c.entry(v)
			tree.Insert(b.Min, b.Max, e)
			ids[c.id(v)] = v
		}
		c.tree = tree
		c.idmu.Lock()
		c.ids = ids
		c.idmu.Unlock()
		c.publish()
		return
	}
	for _, v := range vals {
		c.put(v)
	}
	c.publish()
}

func (c *cowIndex[V, E]) put(v V) {
	id := c.id(v)
	if old, ok := c.get(id); ok {
		b, e := c.entry(old)
		c.tree.Delete(b.Min, b.Max, e)
	}
	b, e := c.entry(v)
	c.tree.Insert(b.Min, b.Max, e)
	c.idmu.Lock()
	c.ids[id] = v
	c.idmu.Unlock()
}

func (c *cowIndex[V, E]) delete(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.get(id)
	if !ok {
		return false
	}
	b, e := c.entry(old)
	c.tree.Delete(b.Min, b.Max, e)
	c.idmu.Lock()
	delete(c.ids, id)
	c.idmu.Unlock()
	c.publish()
	return true
}

// publish hands readers a copy-on-write clone: later writes copy the nodes
// they touch instead of changing the ones the snapshot shares.
func (c *cowIndex[V, E]) publish() { c.snap.Store(c.tree.Copy()) }

// searchParts runs an R-tree search over each planar part of b until iter
// stops it.
func searchParts[E any](tree *rtree.RTreeG[E], b Bound, iter func(min [2]float64, e E) bool) {
	for _, part := range b.Parts() {
		stopped := false
		tree.Search(part.Min, part.Max, func(min, _ [2]float64, e E) bool {
			if !iter(min, e) {
				stopped = true
				return false
			}
			return true
		})
		if stopped {
			return
		}
	}
}
