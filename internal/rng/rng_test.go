package rng

import (
	"fmt"
	"math"
	"testing"
)

func TestDeterministicStreams(t *testing.T) {
	t.Parallel()
	a, b := New(1, 2), New(1, 2)
	for i := 0; i < 100; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("same seed, different streams")
		}
	}
	if Derive(5, 1).Uint64() == Derive(5, 2).Uint64() {
		t.Error("derived blocks share a stream")
	}
	st, _ := a.State()
	x := a.Uint64()
	a.SetState(st)
	if a.Uint64() != x {
		t.Error("State/SetState does not restore the stream")
	}
}

func TestUniformAndNormal(t *testing.T) {
	t.Parallel()
	s := New(3, 4)
	const n = 200000
	var m1, m2, z1, z2 float64
	for i := 0; i < n; i++ {
		u := float64(s.Float32())
		if u < 0 || u >= 1 {
			t.Fatalf("Float32 out of range: %g", u)
		}
		m1 += u
		m2 += u * u
		z := s.Norm()
		z1 += z
		z2 += z * z
	}
	// 5 standard errors.
	if math.Abs(m1/n-0.5) > 5*math.Sqrt(1.0/12/n) || math.Abs(m2/n-1.0/3) > 0.005 {
		t.Errorf("uniform moments %g %g", m1/n, m2/n)
	}
	if math.Abs(z1/n) > 5/math.Sqrt(n) || math.Abs(z2/n-1) > 5*math.Sqrt(2.0/n) {
		t.Errorf("normal moments %g %g", z1/n, z2/n)
	}
	p := make([]int, 10)
	s.Perm(p)
	seen := map[int]bool{}
	for _, v := range p {
		seen[v] = true
	}
	if len(seen) != 10 {
		t.Errorf("Perm %v", p)
	}
}

// TestNamed: a named seed depends on the seed and the name alone, and
// differs between names and seeds.
func TestNamed(t *testing.T) {
	seen := map[uint64]string{}
	for _, seed := range []uint64{0, 1, 2} {
		for _, name := range []string{"rbm 1", "rbm 2", "fine-tune", ""} {
			v := Named(seed, name)
			if v != Named(seed, name) {
				t.Fatalf("Named(%d, %q) is not deterministic", seed, name)
			}
			key := fmt.Sprint(seed, name)
			if other, dup := seen[v]; dup {
				t.Errorf("Named(%s) = Named(%s)", key, other)
			}
			seen[v] = key
		}
	}
}

func TestHashNorm(t *testing.T) {
	t.Parallel()
	const n = 200000
	var sum, sq float64
	for i := uint64(0); i < n; i++ {
		x := float64(HashNorm(7, i))
		sum += x
		sq += x * x
	}
	mean, v := sum/n, sq/n-(sum/n)*(sum/n)
	// Standard errors at n = 2e5: 0.0022 for the mean, 0.0032 for the
	// variance; 5 of them.
	if math.Abs(mean) > 0.011 || math.Abs(v-1) > 0.016 {
		t.Errorf("mean %.4f, variance %.4f", mean, v)
	}
	if HashNorm(7, 3) != HashNorm(7, 3) || HashNorm(7, 3) == HashNorm(8, 3) || HashNorm(7, 3) == HashNorm(7, 4) {
		t.Error("HashNorm is not a fixed function of seed and index")
	}
}

// TestLess: less(u, p) is u < p as 1 or 0 for every u of the streams'
// grid (multiples of 2^-24 in [0, 1)) against p on and beside it, and at
// the ends.
func TestLess(t *testing.T) {
	t.Parallel()
	src := New(3, 0)
	const scale = 1.0 / (1 << 24)
	for i := 0; i < 1<<20; i++ {
		u := float32(src.Uint64()&0xffffff) * scale
		for _, p := range []float32{u, math.Nextafter32(u, 2), math.Nextafter32(u, -1), src.Float32(), 0, 1} {
			want := float32(0)
			if u < p {
				want = 1
			}
			if got := less(u, p); got != want {
				t.Fatalf("less(%g, %g) = %g, want %g", u, p, got, want)
			}
		}
	}
}

// firstAboveSearch is the binary search Multinomial used before
// firstAbove: the first index of c[0:last] above u, else last.
func firstAboveSearch(c []float32, u float32) int {
	lo, hi := 0, len(c)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c[m] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// TestFirstAbove compares firstAbove with a plain binary search on
// cumulative sums with runs of equal values (zero probabilities), every
// length up to 70, u below, on and between the values and above them all.
func TestFirstAbove(t *testing.T) {
	t.Parallel()
	src := New(5, 0)
	for n := 0; n <= 70; n++ {
		for trial := 0; trial < 200; trial++ {
			c := make([]float32, n)
			var acc float32
			for i := range c {
				if src.Float32() < 0.7 {
					acc += src.Float32()
				}
				c[i] = acc
			}
			us := []float32{-1, 0, acc, acc + 1, src.Float32() * acc}
			if n > 0 {
				k := int(src.Uint64() % uint64(n))
				us = append(us, c[k], math.Nextafter32(c[k], -1), math.Nextafter32(c[k], 2))
			}
			for _, u := range us {
				if got, want := firstAbove(c, u), firstAboveSearch(c, u); got != want {
					t.Fatalf("c %v, u %g: %d, want %d", c, u, got, want)
				}
			}
		}
	}
}
