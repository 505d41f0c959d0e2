package groupcommit

import (
	"sync"
	"testing"
	"time"
)

// TestQueue sends items from many goroutines through a slow write: every
// item is written exactly once, in a group written before its Do returned,
// groups never overlap, and some hold more than one item.
func TestQueue(t *testing.T) {
	type item struct {
		n       int
		written bool
	}
	var q Queue[*item]
	var mu sync.Mutex
	writing := false
	seen := map[int]int{}
	var sizes []int
	write := func(group []*item) {
		mu.Lock()
		if writing {
			t.Error("two groups written at once")
		}
		writing = true
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for _, it := range group {
			seen[it.n]++
			it.written = true
		}
		sizes = append(sizes, len(group))
		writing = false
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 30 {
				it := &item{n: w*100 + i}
				q.Do(it, write)
				mu.Lock()
				ok := it.written
				mu.Unlock()
				if !ok {
					t.Errorf("Do(%d) returned before its item was written", it.n)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 16*30 {
		t.Fatalf("%d items written, want %d", len(seen), 16*30)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("item %d written %d times", n, c)
		}
	}
	grouped := 0
	for _, s := range sizes {
		if s > 1 {
			grouped++
		}
	}
	if grouped == 0 {
		t.Errorf("no group held two items: %v", sizes)
	}
}
