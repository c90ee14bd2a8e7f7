package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

type docText struct{ Text, Label, Title string }

// texts fetches the documents the writer re-adds under new ids.
func texts(client *http.Client, base string, ids []string) ([]docText, error) {
	if len(ids) == 0 {
		return nil, errors.New("-writer: no document to copy (no query had a result)")
	}
	var out []docText
	for _, id := range ids {
		status, body, err := fetch(client, base+"/api/doc/"+url.PathEscape(id))
		if err != nil || status != 200 {
			return nil, fmt.Errorf("-writer: fetching %q: %v %d", id, err, status)
		}
		var d docText
		if err := json.Unmarshal(body, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

type writerStats struct {
	lat        []time.Duration
	docs, errs int
}

// write POSTs batches of documents back to back until ctx ends.
func write(ctx context.Context, client *http.Client, base, token string, docs []docText, batch int) writerStats {
	var st writerStats
	run := time.Now().UnixNano()
	for n := 0; ctx.Err() == nil; n++ {
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		for i := range batch {
			d := docs[(n*batch+i)%len(docs)]
			_ = enc.Encode(map[string]string{"id": fmt.Sprintf("serveload-%d-%d-%d", run, n, i), "text": d.Text, "label": d.Label, "title": d.Title})
		}
		req, _ := http.NewRequest("POST", base+"/api/documents", &body)
		req.Header.Set("Authorization", "Bearer "+token)
		t := time.Now()
		res, err := client.Do(req)
		if err != nil {
			st.errs++
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			st.errs++
			fmt.Fprintf(os.Stderr, "serveload: add: status %d: %.200s\n", res.StatusCode, b)
			continue
		}
		st.lat = append(st.lat, time.Since(t))
		st.docs += batch
	}
	return st
}
