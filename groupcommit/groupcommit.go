// Package groupcommit lets concurrent callers share one write: while one
// group of items is being written, the items that arrive wait, and the next
// group writes them all at once. On a store where each write ends in a sync
// to disk, n waiting items then cost about one write instead of n, and no
// caller waits for more than the write in progress and its own.
package groupcommit

import "sync"

// Queue groups the items of concurrent Do calls. The zero Queue is ready to
// use; a Queue must not be copied after first use.
type Queue[T any] struct {
	mu      sync.Mutex
	pending []*waiter[T]
	busy    bool // a caller is writing a group
}

type waiter[T any] struct {
	item T
	done chan struct{} // closed once a write that held item returned
	lead chan struct{} // closed when this caller must write the next group
}

// Do queues item and returns once a call of write whose group held it has
// returned. write is called by one caller at a time with every item waiting,
// in the order they arrived; it answers each item itself (an item is
// typically a pointer whose result fields write sets). Every caller of one
// Queue must pass a write that does the same thing: a group is written by
// whichever caller leads it.
func (q *Queue[T]) Do(item T, write func(group []T)) {
	w := &waiter[T]{item: item, done: make(chan struct{}), lead: make(chan struct{})}
	q.mu.Lock()
	q.pending = append(q.pending, w)
	leader := !q.busy
	q.busy = true
	q.mu.Unlock()
	if !leader {
		select {
		case <-w.done:
			return
		case <-w.lead:
		}
	}
	// This caller leads: it writes everything waiting, its own item
	// included, then hands the lead to the first caller that arrived since.
	q.mu.Lock()
	group := q.pending
	q.pending = nil
	q.mu.Unlock()
	items := make([]T, len(group))
	for i, g := range group {
		items[i] = g.item
	}
	write(items)
	for _, g := range group {
		close(g.done)
	}
	q.mu.Lock()
	if len(q.pending) > 0 {
		close(q.pending[0].lead)
	} else {
		q.busy = false
	}
	q.mu.Unlock()
}
