package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	"github.com/docsearch/docsearch/ingest"
	"github.com/docsearch/docsearch/internal/progress"
)

// News20URL is where Jason Rennie publishes the "bydate" split of the 20
// Newsgroups corpus, the version of Hinton & Salakhutdinov (2006).
const News20URL = "http://qwone.com/~jason/20Newsgroups/20news-bydate.tar.gz"

// News20Splits are the archive's two folders, training and test posts.
var News20Splits = [2]string{"20news-bydate-train", "20news-bydate-test"}

// maxNews20Bytes bounds a download (the archive is about 14 MB).
const maxNews20Bytes = 256 << 20

// FetchOptions sets Fetch20News; zero fields take their defaults.
type FetchOptions struct {
	URL   string // default News20URL
	Dest  string // default DefaultNews20Path()
	Force bool   // download even when Dest already holds a good archive
	// Client makes the request (nil: http.DefaultClient).
	Client *http.Client
	// Progress receives a bar of the download (nil: none).
	Progress io.Writer
}

// FetchResult is what Fetch20News found at Dest.
type FetchResult struct {
	Path       string `json:"path"`
	Bytes      int64  `json:"bytes"`
	Downloaded bool   `json:"downloaded"` // false: a good archive was there already
	Train      int    `json:"train"`      // posts in the training split
	Test       int    `json:"test"`       // posts in the test split
	Groups     int    `json:"groups"`     // newsgroups (labels), the same in both
}

// DefaultNews20Path is where Fetch20News puts the archive by default: the
// user's cache folder (os.UserCacheDir), docsearch/20news-bydate.tar.gz.
func DefaultNews20Path() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("pipeline: no cache folder for the download (give a destination): %w", err)
	}
	return filepath.Join(dir, "docsearch", "20news-bydate.tar.gz"), nil
}

// Fetch20News downloads the 20 Newsgroups archive to o.Dest and checks it
// before it takes the place of anything there: a gzipped tar with both
// splits, each a folder per newsgroup, the same newsgroups in both. A
// good archive already at Dest is kept unless o.Force. Whatever fails,
// Dest is left as it was.
func Fetch20News(ctx context.Context, o FetchOptions) (*FetchResult, error) {
	if o.URL == "" {
		o.URL = News20URL
	}
	if o.Dest == "" {
		d, err := DefaultNews20Path()
		if err != nil {
			return nil, err
		}
		o.Dest = d
	}
	res := &FetchResult{Path: o.Dest}
	if !o.Force {
		info, err := os.Stat(o.Dest)
		switch {
		case err == nil:
			if err := checkNews20(o.Dest, res); err != nil {
				return nil, fmt.Errorf("pipeline: %s is there but %w; fetch again with force to replace it", o.Dest, err)
			}
			res.Bytes = info.Size()
			return res, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("pipeline: %w", err)
		}
	}
	var bar *progress.Bar
	report := func(done, total int64) {
		if bar == nil {
			bar = progress.New(o.Progress, "download "+filepath.Base(o.Dest), total, "B")
		}
		bar.Set(done)
	}
	n, err := ingest.Fetch(ctx, o.Client, o.URL, o.Dest, maxNews20Bytes, report, func(path string) error {
		return checkNews20(path, res)
	})
	bar.Finish()
	if err != nil {
		return nil, err
	}
	res.Bytes, res.Downloaded = n, true
	return res, nil
}

// checkNews20 reads the archive at path and fills res's counts, or says
// what is wrong with it.
func checkNews20(path string, res *FetchResult) error {
	var groups [2]map[string]int
	for i, split := range News20Splits {
		groups[i] = map[string]int{}
		st, err := ingest.Walk(path+"#"+split, ingest.Options{}, func(d ingest.Document) error {
			groups[i][d.Label]++
			return nil
		})
		if err != nil {
			return fmt.Errorf("is not the 20news-bydate archive: %w", err)
		}
		if st.Docs == 0 || st.Labeled < st.Docs {
			return fmt.Errorf("is not the 20news-bydate archive: %s holds %d posts, %d in a newsgroup folder", split, st.Docs, st.Labeled)
		}
	}
	a, b := slices.Sorted(maps.Keys(groups[0])), slices.Sorted(maps.Keys(groups[1]))
	if !slices.Equal(a, b) {
		return fmt.Errorf("is not the 20news-bydate archive: the splits have other newsgroups (%d and %d)", len(a), len(b))
	}
	res.Groups = len(a)
	res.Train, res.Test = 0, 0
	for _, n := range groups[0] {
		res.Train += n
	}
	for _, n := range groups[1] {
		res.Test += n
	}
	return nil
}
