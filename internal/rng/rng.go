// Package rng provides the seeded random streams of training: a PCG source
// per stream, and fast float32 uniforms, Bernoulli and Gaussian draws.
//
// Reproducibility rule: a computation that samples in parallel derives one
// stream per fixed block of rows with Derive(base, block), where base is
// drawn once from the caller's master stream. The result then depends on
// the seed only, not on scheduling or the number of cores.
package rng

import (
	"math"
	"math/rand/v2"
)

// Source is a PCG random stream. The zero value is a valid (fixed) stream.
type Source struct {
	pcg rand.PCG
	nrm *rand.Rand
}

// New returns a stream seeded by seed and stream.
func New(seed, stream uint64) *Source {
	s := &Source{}
	s.pcg.Seed(seed, stream^0x9e3779b97f4a7c15)
	return s
}

// Named returns the seed of the part called name of a run seeded with
// seed ("rbm 2", "fine-tune"): FNV-1a of the name mixed with seed by
// SplitMix64. Each part of a recipe draws from its own stream, which does
// not change when parts are added, removed or reordered.
func Named(seed uint64, name string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 0x100000001b3
	}
	z := seed ^ h
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Derive returns a new stream determined by base and block.
func Derive(base, block uint64) *Source { return New(base, block*0xbf58476d1ce4e5b9+1) }

// Uint64 returns 64 random bits.
func (s *Source) Uint64() uint64 { return s.pcg.Uint64() }

// Float32 returns a uniform number in [0, 1) with 24 bits of precision.
func (s *Source) Float32() float32 {
	return float32(s.pcg.Uint64()>>40) * (1.0 / (1 << 24))
}

// Float64 returns a uniform number in [0, 1).
func (s *Source) Float64() float64 {
	return float64(s.pcg.Uint64()>>11) * (1.0 / (1 << 53))
}

// Norm returns a standard normal draw.
func (s *Source) Norm() float64 {
	if s.nrm == nil {
		s.nrm = rand.New(&s.pcg)
	}
	return s.nrm.NormFloat64()
}

// IntN returns a uniform integer in [0, n).
func (s *Source) IntN(n int) int {
	return int((s.pcg.Uint64() >> 1) % uint64(n))
}

// Perm fills p with a random permutation of 0..len(p)-1 (Fisher-Yates).
func (s *Source) Perm(p []int) {
	for i := range p {
		p[i] = i
	}
	for i := len(p) - 1; i > 0; i-- {
		j := int((s.pcg.Uint64() >> 1) % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
}

// Bernoulli overwrites p[i] with 1 with probability p[i], else 0. Two
// 24-bit uniforms come from each 64-bit draw.
func (s *Source) Bernoulli(dst, p []float32) {
	const scale = 1.0 / (1 << 24)
	i := 0
	for ; i+1 < len(p); i += 2 {
		u := s.pcg.Uint64()
		u0 := float32(u&0xffffff) * scale
		u1 := float32((u>>32)&0xffffff) * scale
		dst[i] = less(u0, p[i])
		dst[i+1] = less(u1, p[i+1])
	}
	if i < len(p) {
		dst[i] = b2f(s.Float32() < p[i])
	}
}

// AddNorm adds a standard normal draw to each x[i].
func (s *Source) AddNorm(x []float32) {
	for i := range x {
		x[i] += float32(s.Norm())
	}
}

// Multinomial draws n items from the distribution p (non-negative, summing
// to about 1) and writes the counts into dst. cum is scratch of len(p).
// p is read in full before dst is written, so dst may alias p.
func (s *Source) Multinomial(dst, p, cum []float32, n int) {
	var acc float32
	for i, x := range p {
		acc += x
		cum[i] = acc
	}
	clear(dst)
	if acc <= 0 || math.IsNaN(float64(acc)) {
		return
	}
	c := cum[:len(p)-1]
	for range n {
		dst[firstAbove(c, s.Float32()*acc)]++
	}
}

// firstAbove returns the first index of c, non-decreasing and not NaN,
// whose value is above u, or len(c) if none is. It halves the range
// without a branch on the comparison, whose outcome for a random u is a
// coin flip: c[i] <= u is the sign bit of u - c[i] clear (the sign of the
// rounded difference is that of the exact one, and u - c[i] is +0 when
// they are equal).
func firstAbove(c []float32, u float32) int {
	if len(c) == 0 {
		return 0
	}
	atMost := func(i int) int { return 1 - int(math.Float32bits(u-c[i])>>31) }
	base, n := 0, len(c)
	for n > 1 {
		half := n >> 1
		base += half * atMost(base+half-1)
		n -= half
	}
	return base + atMost(base)
}

// less returns 1 if u < p, else 0, for u in [0, 1) and p not NaN, without
// a branch: the sign of the rounded difference u-p is the sign of the
// exact one, and u-p is +0 when they are equal. (A branch on u < p, whose
// outcome is a coin flip, is mispredicted about every other time.)
func less(u, p float32) float32 { return float32(math.Float32bits(u-p) >> 31) }

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// State returns the stream's state, for checkpoints.
func (s *Source) State() ([]byte, error) { return s.pcg.MarshalBinary() }

// SetState restores a state saved by State.
func (s *Source) SetState(b []byte) error {
	s.nrm = nil
	return s.pcg.UnmarshalBinary(b)
}

// HashNorm returns a standard normal draw that depends on seed and i
// alone (SplitMix64 of both, then Box-Muller): a fixed, pre-drawn
// sequence that needs no state and no table, such as the deterministic
// noise of semantic hashing.
func HashNorm(seed, i uint64) float32 {
	a := splitmix(seed ^ splitmix(2*i))
	b := splitmix(seed ^ splitmix(2*i+1))
	u1 := (float64(a>>11) + 0.5) * (1.0 / (1 << 53)) // (0, 1)
	u2 := float64(b>>11) * (1.0 / (1 << 53))
	return float32(math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2))
}

// HashFloat32 returns a uniform draw in [0, 1), a multiple of 2^-24, that
// depends on seed and i alone (SplitMix64 of both), as HashNorm does.
func HashFloat32(seed, i uint64) float32 {
	return float32(splitmix(seed^splitmix(i))>>40) * (1.0 / (1 << 24))
}

func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
