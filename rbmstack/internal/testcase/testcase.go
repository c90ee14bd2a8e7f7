// Package testcase holds the small data sets and helpers that the tests
// of the core's packages share.
package testcase

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"

	"github.com/docsearch/docsearch/internal/rng"
	"github.com/docsearch/docsearch/rbmstack"
	"github.com/docsearch/docsearch/rbmstack/mat"
)

// RandomBinary returns n cases of c fair random bits.
func RandomBinary(n, c int, seed uint64) *mat.Dense {
	x := mat.NewDense(n, c, nil)
	src := rng.New(seed, 5)
	for i := range x.Data {
		if src.Float64() < 0.5 {
			x.Data[i] = 1
		}
	}
	return x
}

// Labelled returns n random binary cases of c columns and the labels
// i mod classes.
func Labelled(n, c, classes int, seed uint64) (*mat.Dense, []int) {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % classes
	}
	return RandomBinary(n, c, seed), labels
}

// TwoPatterns returns n binary cases of 6 units: 111000 or 000111, each
// bit flipped with probability 0.05.
func TwoPatterns(n int, seed uint64) *mat.Dense {
	src := rng.New(seed, 9)
	d := mat.NewDense(n, 6, nil)
	for i := 0; i < n; i++ {
		k := src.IntN(2)
		for j := 0; j < 6; j++ {
			on := (j < 3) == (k == 0)
			if src.Float64() < 0.05 {
				on = !on
			}
			if on {
				d.Data[i*6+j] = 1
			}
		}
	}
	return d
}

// SameBits reports whether a and b hold bit-identical floats.
func SameBits(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// Reseal returns a copy of b with a CRC-32C appended: a frame whose body
// may be cut or damaged but which passes the checksum, so that fuzzing
// reaches the field decoders.
func Reseal(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(append([]byte(nil), b...), crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
}

// ErrKilled stands in for kill -9 in resume tests.
var ErrKilled = errors.New("killed")

// KillAfter returns an Observer that returns ErrKilled at the n-th
// boundary event (EpochEnd or StageEnd, 1-based) it sees: under
// rbmstack.Resume the state of that boundary is saved first, as a
// checkpoint file would be before a kill.
func KillAfter(n int) rbmstack.Observer {
	seen := 0
	return func(e rbmstack.Event) error {
		if e.Kind == rbmstack.EpochEnd || e.Kind == rbmstack.StageEnd {
			if seen++; seen == n {
				return ErrKilled
			}
		}
		return nil
	}
}

// Store is an in-memory rbmstack.Store.
type Store struct{ State []byte }

// Load implements rbmstack.Store.
func (s *Store) Load() ([]byte, error) { return s.State, nil }

// Save implements rbmstack.Store.
func (s *Store) Save(b []byte) error { s.State = append([]byte(nil), b...); return nil }

func (s *Store) String() string { return "test store" }

// LogLik returns the exact mean log-probability of the binary rows of d
// under a binary RBM of weights w (nvis x nhid), visible biases b and
// hidden biases a, enumerating the 2^nvis visible states for log Z:
// log p(v) = -F(v) - log Z, F(v) = -b'v - sum_j log(1 + exp(a_j + v'W_j)).
func LogLik(nvis, nhid int, w, b, a []float32, d *mat.Dense) float64 {
	free := func(v []float32) float64 {
		f := 0.0
		for i, x := range v {
			f -= float64(b[i] * x)
		}
		for j := 0; j < nhid; j++ {
			s := float64(a[j])
			for i, x := range v {
				s += float64(x * w[i*nhid+j])
			}
			f -= math.Log1p(math.Exp(s))
		}
		return f
	}
	v := make([]float32, nvis)
	var terms []float64
	for s := 0; s < 1<<nvis; s++ {
		for i := range v {
			v[i] = float32(s >> i & 1)
		}
		terms = append(terms, -free(v))
	}
	mx := math.Inf(-1)
	for _, t := range terms {
		mx = math.Max(mx, t)
	}
	z := 0.0
	for _, t := range terms {
		z += math.Exp(t - mx)
	}
	logZ := mx + math.Log(z)
	ll := 0.0
	for i := 0; i < d.Rows; i++ {
		ll += -free(d.Row(i)) - logZ
	}
	return ll / float64(d.Rows)
}
