package server

import (
	"sync"

	"github.com/docsearch/docsearch/docmap"
	"github.com/docsearch/docsearch/index"
	"github.com/docsearch/docsearch/pipeline"
	"github.com/docsearch/docsearch/query"
)

// engine is one open generation of the index, with what the server
// derives from it once (its description, its map).
type engine struct {
	*query.Engine
	gen string
	// inUse is held for reading by every request running on the engine;
	// closing takes it for writing, so the engine closes only after the
	// last of them has finished.
	inUse sync.RWMutex

	infoOnce sync.Once
	info     *pipeline.Info
	infoErr  error

	mapOnce sync.Once
	docMap  *docmap.Map
	mapErr  error
}

// describe returns the index's description, computed once.
func (e *engine) describe(dir string) (*pipeline.Info, error) {
	e.infoOnce.Do(func() { e.info, e.infoErr = pipeline.Describe(e.Engine, dir) })
	return e.info, e.infoErr
}

// projection returns the map of the generation, computed once.
func (e *engine) projection() (*docmap.Map, error) {
	e.mapOnce.Do(func() { e.docMap, e.mapErr = docmap.Project(e.Index) })
	return e.docMap, e.mapErr
}

// live holds the generation the server answers from and swaps in newer
// ones.
type live struct {
	dir      string
	mu       sync.RWMutex // guards cur
	cur      *engine
	reloadMu sync.Mutex // one reload at a time
	closed   bool
}

func openLive(dir string) (*live, error) {
	eng, err := query.Open(dir)
	if err != nil {
		return nil, err
	}
	// The search structure of a large index builds beside the first
	// requests, which scan every code until it is ready.
	go eng.Index.Prepare()
	return &live{dir: dir, cur: &engine{Engine: eng, gen: eng.Index.Generation()}}, nil
}

// acquire returns the current engine, held until release. A request
// acquires once and releases when it is done.
func (l *live) acquire() *engine {
	l.mu.RLock()
	e := l.cur
	// Taken under l.mu, so that a swap cannot close e in between.
	e.inUse.RLock()
	l.mu.RUnlock()
	return e
}

func (e *engine) release() { e.inUse.RUnlock() }

// reload opens the live generation if it differs from the one held and
// swaps it in; the old one closes once its last request has finished. It
// reports whether it switched and to which generation. On an error the
// held generation stays.
func (l *live) reload() (bool, string, error) {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	if l.closed {
		return false, "", nil
	}
	gen, err := index.Generation(l.dir)
	if err != nil {
		return false, "", err
	}
	l.mu.RLock()
	held := l.cur.gen
	l.mu.RUnlock()
	if gen == held {
		return false, held, nil
	}
	eng, err := query.Open(l.dir)
	if err != nil {
		return false, "", err
	}
	eng.Index.Prepare() // before the swap, so that no request waits on it
	ne := &engine{Engine: eng, gen: eng.Index.Generation()}
	l.mu.Lock()
	old := l.cur
	l.cur = ne
	l.mu.Unlock()
	go func() {
		old.inUse.Lock()
		_ = old.Close()
		old.inUse.Unlock()
	}()
	return true, ne.gen, nil
}

// close waits for the requests on the current engine and closes it.
func (l *live) close() error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.mu.Lock()
	e := l.cur
	l.mu.Unlock()
	e.inUse.Lock()
	defer e.inUse.Unlock()
	return e.Close()
}
