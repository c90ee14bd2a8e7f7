package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/docsearch/docsearch/query"
)

// mapCacheSize is the number of rendered map images kept: drawing one
// takes a fifth of a second of CPU, and a page shows the same image twice
// when a user pages back.
const mapCacheSize = 32

// mapCache keeps recently drawn images by generation and marked positions,
// and lets one image be drawn at a time, so that map requests cannot take
// every core from searches.
type mapCache struct {
	draw  chan struct{} // capacity 1
	mu    sync.Mutex
	png   map[string][]byte
	order []string // oldest first
}

func newMapCache() *mapCache {
	return &mapCache{draw: make(chan struct{}, 1), png: make(map[string][]byte)}
}

func (c *mapCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.png[key]
	return b, ok
}

func (c *mapCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.png[key]; ok {
		return
	}
	if len(c.order) == mapCacheSize {
		delete(c.png, c.order[0])
		c.order = c.order[1:]
	}
	c.png[key] = b
	c.order = append(c.order, key)
}

var mapParams = []string{"q", "doc", "k", "offset", "mode", "label"}

// mapImage: GET /api/map.png?q=|doc=&k=&offset=&mode=&label= draws the
// map of the collection (docmap) with the results of the query, if one is
// given, marked.
func (s *Server) mapImage(w http.ResponseWriter, r *http.Request) {
	p := readParams(r.URL.RawQuery, mapParams...)
	req := p.request(query.DefaultK)
	req.Snippets = query.NoSnippets
	switch {
	case p.has("q") && p.has("doc"):
		p.bad("give q or doc, not both")
	case p.has("q"):
		req.Text = p.text()
	case p.has("doc"):
		req.DocID = p.str("doc")
		if err := checkID(req.DocID); err != nil {
			p.errs = append(p.errs, fmt.Errorf("doc: %w", err))
		}
	}
	if err := p.err(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	e := s.live.acquire()
	defer e.release()
	m, err := e.projection()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var marked []int
	title := fmt.Sprintf("%d documents by their codes (%s)", m.Placed, e.gen)
	if req.Text != "" || req.DocID != "" {
		resp, err := s.run(r.Context(), e, req)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, res := range resp.Results {
			if pos, ok := e.Index.Find(res.ID); ok {
				marked = append(marked, pos)
			}
		}
		what := "documents like " + strconv.Quote(clip(req.DocID, 40))
		if req.Text != "" {
			what = strconv.Quote(clip(req.Text, 40))
		}
		title = fmt.Sprintf("%d documents by their codes; %d results of %s marked", m.Placed, len(marked), what)
	}
	var key strings.Builder
	key.WriteString(e.gen)
	for _, pos := range marked {
		fmt.Fprintf(&key, ",%d", pos)
	}
	key.WriteString("\x00" + title)
	img, ok := s.maps.get(key.String())
	if !ok {
		select {
		case s.maps.draw <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		var buf bytes.Buffer
		err := m.Draw(&buf, title, marked)
		<-s.maps.draw
		if err != nil {
			s.fail(w, r, err)
			return
		}
		img = buf.Bytes()
		s.maps.put(key.String(), img)
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(img)))
	_, _ = w.Write(img)
}
