package vocab

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/docsearch/docsearch/internal/testenv"
)

// newsSampleSize is the number of 20 Newsgroups posts the tests read: every
// 47th of the 18,846 posts in the archive (data/README.md), so that all
// classes are present.
const newsSampleSize = 400

// newsSample reads the sample once per test binary.
var newsSample = sync.OnceValues(func() ([]string, error) {
	path := testenv.News20Path()
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	step := 18846 / newsSampleSize
	var docs []string
	tr := tar.NewReader(gz)
	for i := 0; len(docs) < newsSampleSize; {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if i%step == 0 {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			docs = append(docs, string(b))
		}
		i++
	}
	return docs, nil
})

// newsDocs returns n posts (at most newsSampleSize) of 20 Newsgroups spread
// over the archive, or, when the archive is absent, n synthetic posts of
// similar length. The bool reports which.
func newsDocs(tb testing.TB, n int) ([]string, bool) {
	tb.Helper()
	sample, err := newsSample()
	if err != nil {
		tb.Fatal(err)
	}
	if sample == nil {
		if os.Getenv(testenv.EnvRequire) == "1" {
			testenv.News20(tb) // fails loudly in CI
		}
		return syntheticDocs(n), false
	}
	step := max(1, len(sample)/n)
	var docs []string
	for i := 0; i < len(sample) && len(docs) < n; i += step {
		docs = append(docs, sample[i])
	}
	return docs, true
}

// syntheticDocs returns n posts of about 1.5 KB drawn from a Zipf law over
// made-up words, with some numbers, host names and punctuation.
func syntheticDocs(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 20000)
	for i := range words {
		var sb strings.Builder
		for range 3 + r.IntN(7) {
			sb.WriteByte(byte('a' + r.IntN(26)))
		}
		words[i] = sb.String()
	}
	stops := []string{"the", "of", "and", "to", "a", "in", "is", "it", "that", "don't"}
	z := rand.NewZipf(r, 1.1, 2, uint64(len(words)-1))
	docs := make([]string, n)
	for d := range docs {
		var sb strings.Builder
		fmt.Fprintf(&sb, "From: user%d@host%d.edu\nSubject: Re: %s\n\n", d, d%17, words[z.Uint64()])
		for sb.Len() < 1500 {
			switch k := r.IntN(10); {
			case k < 3:
				sb.WriteString(stops[r.IntN(len(stops))])
			case k == 3 && r.IntN(4) == 0:
				fmt.Fprintf(&sb, "%d.%d", r.IntN(100), r.IntN(10))
			default:
				sb.WriteString(words[z.Uint64()])
			}
			sb.WriteString([]string{" ", " ", " ", ", ", ". ", "\n"}[r.IntN(6)])
		}
		docs[d] = sb.String()
	}
	return docs
}
