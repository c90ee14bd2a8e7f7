package index

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/docsearch/docsearch/internal/par"
)

// Cells: an exact pruning structure for Search over many codes.
//
// The unit codes are partitioned into cells by a two-level spherical
// k-means (about sqrt(n) cells). Each cell keeps the direction c of its
// centre, and its rows are copied into one array cell by cell, each cell's
// rows sorted by their angle a_v = angle(v, c), with their positions. A
// query q at angle t = angle(q, c) from a cell's centre bounds the cosine
// of any row of the cell by the triangle inequality on the sphere:
//
//	angle(q, v) >= |t - a_v|,  so  cos(q, v) <= cos(max(0, t - r))
//
// where r is the largest a_v of the cell. Search visits cells from the
// highest bound down and stops when the bound falls below the k-th score
// kept; inside a visited cell it scans only the blocks of 16 rows that can
// hold an a_v within acos(k-th score) of t, a contiguous range since the
// rows are sorted by a_v (the angle of each block's first row is kept). Rows are scored with the same float32 arithmetic as the plain scan,
// so the hits and their scores are bit for bit those of the plain scan.
//
// Rounding: a float32 score exceeds the real cosine of the two float32
// vectors by at most about 1e-6 (ten rounded products and sums of terms
// below 1 in magnitude, and unit rows whose norm is 1 within 1e-7); the
// bounds and angles are computed in float64. Both are padded, by cosPad in
// cosine and anglePad in angle, far above those errors.

const (
	cosPad   = 1e-5
	anglePad = 1e-5

	// minCellRows is the fewest rows for which Search builds cells. Below
	// it the plain scan takes tens of microseconds and a build is not
	// worth its memory.
	minCellRows = 1 << 16
)

// cells is the structure above for one Index. It is immutable once built.
type cells struct {
	dim    int
	centre []float64 // ncell x dim, unit rows
	cosR   []float64 // cos and sin of the radius r of each cell
	sinR   []float64
	lo     []int32 // rows [lo[j], lo[j+1]) of rows and pos belong to cell j
	rows   []float32
	pos    []int32
	first  []float32 // per block of 16 rows, the a_v of its first row

	// zero holds the positions of the zero rows, whose scores are all ±0;
	// other holds rows that are neither zero, NaN nor of unit length
	// within 1e-6 (none from normalizeTo), scanned on every search.
	zero, other []int32
}

// buildCells partitions the rows of unit (n x dim) into about ncell cells,
// deterministically for a given seed. Rows holding NaN (the documents
// without a code) are left out: they enter no result.
func buildCells(unit []float32, dim, ncell int, seed uint64) *cells {
	n := len(unit) / dim
	c := &cells{dim: dim}
	var live []int32 // unit rows
	for i := range n {
		x := unit[i*dim : (i+1)*dim]
		var ss float64
		for _, v := range x {
			ss += float64(v) * float64(v)
		}
		switch {
		case ss != ss: // NaN
		case ss == 0:
			c.zero = append(c.zero, int32(i))
		case math.Abs(ss-1) > 1e-6:
			c.other = append(c.other, int32(i))
		default:
			live = append(live, int32(i))
		}
	}
	if len(live) == 0 {
		c.lo = []int32{0}
		return c
	}
	ncell = max(1, min(ncell, len(live)))
	rng := rand.New(rand.NewPCG(seed, uint64(n)))

	// Top level: k1 centres fitted on a sample; then each top centre's
	// share of the sample is split into cells in proportion to its size.
	k1 := max(1, int(math.Round(math.Sqrt(float64(ncell)))))
	sample := live
	if len(live) > 64*ncell { // rows drawn with replacement
		sample = make([]int32, 64*ncell)
		for i := range sample {
			sample[i] = live[rng.IntN(len(live))]
		}
	}
	top := kmeans(unit, dim, sample, k1, rng)
	groups := make([][]int32, len(top)/dim)
	for _, i := range sample {
		g := nearest(top, unit[int(i)*dim:int(i+1)*dim])
		groups[g] = append(groups[g], i)
	}
	leaves := make([][]float32, len(groups)) // per top centre, its leaf centres
	par.For(len(groups), 1, func(g0, g1 int) {
		for g := g0; g < g1; g++ {
			members := groups[g]
			kg := int(math.Round(float64(ncell) * float64(len(members)) / float64(len(sample))))
			kg = max(1, min(kg, len(members)))
			if len(members) == 0 {
				leaves[g] = top[g*dim : (g+1)*dim]
				continue
			}
			leaves[g] = kmeans(unit, dim, members, kg, rand.New(rand.NewPCG(seed, uint64(g)+1)))
		}
	})
	first := make([]int, len(leaves)+1) // leaf numbers of top centre g start at first[g]
	for g, l := range leaves {
		first[g+1] = first[g] + len(l)/dim
	}

	// Assign every row to its nearest leaf under its nearest top centre.
	leafOf := make([]int32, len(live))
	par.For(len(live), 4096, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			x := unit[int(live[j])*dim : int(live[j]+1)*dim]
			g := nearest(top, x)
			leafOf[j] = int32(first[g] + nearest(leaves[g], x))
		}
	})

	// Centres are the normalised means of the rows assigned; empty leaves
	// are dropped.
	nleaf := first[len(leaves)]
	sum := make([]float64, nleaf*dim)
	count := make([]int32, nleaf)
	for j, l := range leafOf {
		x := unit[int(live[j])*dim : int(live[j]+1)*dim]
		s := sum[int(l)*dim : int(l+1)*dim]
		for d, v := range x {
			s[d] += float64(v)
		}
		count[l]++
	}
	renum := make([]int32, nleaf)
	for l := range nleaf {
		if count[l] == 0 {
			renum[l] = -1
			continue
		}
		renum[l] = int32(len(c.cosR))
		s := sum[l*dim : (l+1)*dim]
		if !unit64(s) { // rows cancelling out: any direction bounds them
			clear(s)
			s[0] = 1
		}
		c.centre = append(c.centre, s...)
		c.cosR = append(c.cosR, 0)
		c.sinR = append(c.sinR, 0)
	}
	nc := len(c.cosR)
	// Each cell's rows are padded to whole blocks of 16 with NaN rows at
	// position -1 and angle +Inf, which enter no result.
	c.lo = make([]int32, nc+1)
	for l, k := range count {
		if renum[l] >= 0 {
			c.lo[renum[l]+1] = (k + 15) &^ 15
		}
	}
	for j := range nc {
		c.lo[j+1] += c.lo[j]
	}
	total := int(c.lo[nc])
	c.pos = make([]int32, total)
	for i := range c.pos {
		c.pos[i] = -1
	}
	fill := slices.Clone(c.lo[:nc])
	for j, l := range leafOf {
		cj := renum[l]
		c.pos[fill[cj]] = live[j]
		fill[cj]++
	}
	ang := make([]float32, total)
	c.rows = make([]float32, total*dim)
	c.first = make([]float32, total/16)
	par.For(nc, 16, func(j0, j1 int) {
		for j := j0; j < j1; j++ {
			c.fillCell(j, int(fill[j]), unit, ang)
		}
	})
	return c
}

// fillCell sorts the rows [lo[j], hi) of cell j by angle to its centre,
// sets its radius and the angle of its blocks, and copies the rows into
// blocks, padding with NaN rows of angle +Inf. ang is scratch, total long.
func (c *cells) fillCell(j, hi int, unit, ang []float32) {
	dim := c.dim
	lo, end := int(c.lo[j]), int(c.lo[j+1])
	cen := c.centre[j*dim : (j+1)*dim]
	for i := lo; i < end; i++ {
		ang[i] = float32(math.Inf(1))
		if p := int(c.pos[i]); p >= 0 {
			ang[i] = float32(angle64(cen, unit[p*dim:(p+1)*dim]))
		}
	}
	sortByAngle(ang[lo:hi], c.pos[lo:hi])
	for b := lo / 16; b < end/16; b++ {
		c.first[b] = ang[b*16]
	}
	r := float64(ang[hi-1]) + anglePad
	c.cosR[j], c.sinR[j] = math.Cos(min(r, math.Pi)), math.Sin(min(r, math.Pi))
	for i := lo; i < end; i++ {
		blk := c.rows[(i&^15)*dim:]
		for d := range dim {
			v := float32(math.NaN())
			if p := int(c.pos[i]); p >= 0 {
				v = unit[p*dim+d]
			}
			blk[d*16+(i&15)] = v
		}
	}
}

// sortByAngle sorts a ascending, carrying p along; equal angles keep
// positions ascending.
func sortByAngle(a []float32, p []int32) {
	type row struct {
		a float32
		p int32
	}
	rs := make([]row, len(a))
	for i := range rs {
		rs[i] = row{a[i], p[i]}
	}
	slices.SortFunc(rs, func(x, y row) int {
		if x.a != y.a {
			if x.a < y.a {
				return -1
			}
			return 1
		}
		return int(x.p - y.p)
	})
	for i, r := range rs {
		a[i], p[i] = r.a, r.p
	}
}

// unit64 scales s to unit length and reports whether it could.
func unit64(s []float64) bool {
	var ss float64
	for _, v := range s {
		ss += v * v
	}
	if !(ss > 1e-200) || math.IsInf(ss, 0) {
		return false
	}
	inv := 1 / math.Sqrt(ss)
	for d := range s {
		s[d] *= inv
	}
	return true
}

// angle64 returns the angle between the unit vector c and the direction of
// x, in float64.
func angle64(c []float64, x []float32) float64 {
	var dot, xx float64
	for d, v := range x {
		dot += c[d] * float64(v)
		xx += float64(v) * float64(v)
	}
	return math.Acos(max(-1, min(1, dot/math.Sqrt(xx))))
}

// nearest returns the index of the centre (rows of cs) with the largest
// dot product with x.
func nearest(cs []float32, x []float32) int {
	dim := len(x)
	best, bi := float32(math.Inf(-1)), 0
	for j := 0; j+dim <= len(cs); j += dim {
		c := cs[j : j+dim : j+dim]
		var s float32
		for d, v := range x {
			s += c[d] * v
		}
		if s > best {
			best, bi = s, j/dim
		}
	}
	return bi
}

// kmeans fits k unit centres to the unit rows of unit listed in members by
// spherical k-means (Dhillon & Modha 2001): assign each row to the centre
// of largest cosine, set each centre to the normalised mean of its rows.
// It returns k x dim centres (fewer if members has fewer distinct rows).
func kmeans(unit []float32, dim int, members []int32, k int, rng *rand.Rand) []float32 {
	row := func(i int32) []float32 { return unit[int(i)*dim : int(i+1)*dim] }
	cs := make([]float32, 0, k*dim)
	for _, j := range rng.Perm(len(members))[:k] {
		cs = append(cs, row(members[j])...)
	}
	sum := make([]float64, k*dim)
	count := make([]int, k)
	for range 8 {
		clear(sum)
		clear(count)
		for _, i := range members {
			x := row(i)
			j := nearest(cs, x)
			s := sum[j*dim : (j+1)*dim]
			for d, v := range x {
				s[d] += float64(v)
			}
			count[j]++
		}
		for j := range k {
			s := sum[j*dim : (j+1)*dim]
			if count[j] == 0 || !unit64(s) {
				copy(cs[j*dim:(j+1)*dim], row(members[rng.IntN(len(members))]))
				continue
			}
			for d, v := range s {
				cs[j*dim+d] = float32(v)
			}
		}
	}
	return cs
}

// bytes returns the memory the structure holds.
func (c *cells) bytes() int {
	return 8*(len(c.centre)+len(c.cosR)+len(c.sinR)) +
		4*(len(c.lo)+len(c.rows)+len(c.pos)+len(c.first)+len(c.zero)+len(c.other))
}

// cellKey is a cell, the cosine of its centre to a query and the bound on
// the cosine of its rows to the query.
type cellKey struct {
	bound, ct float64
	cell      int32
}

// searchCells puts the top k rows for the unit query s.q into h, a heap of
// capacity k, and returns it unsorted.
func (s *Searcher) searchCells(c *cells, k, exclude int, h []Hit) []Hit {
	dim := c.dim
	q := s.q
	var qd [16]float64
	var qq []float64
	if dim <= len(qd) {
		qq = qd[:dim]
	} else {
		qq = make([]float64, dim)
	}
	for d, v := range q {
		qq[d] = float64(v)
	}
	if !unit64(qq) { // a zero query: every score is ±0 or NaN
		clear(qq)
	}

	// Rows that must always be scanned, then the bound of every cell.
	h = scanList(c.other, s.ix.unit, q, k, exclude, h)
	nc := len(c.cosR)
	keys := s.keys[:0]
	for j := range nc {
		cen := c.centre[j*dim : (j+1)*dim : (j+1)*dim]
		var ct float64
		for d, v := range qq {
			ct += v * cen[d]
		}
		ct = max(-1, min(1, ct))
		b := 1.0
		if ct < c.cosR[j] { // angle t > r: cos(t - r)
			b = ct*c.cosR[j] + math.Sqrt(1-ct*ct)*c.sinR[j]
		}
		keys = append(keys, cellKey{b, ct, int32(j)})
	}
	s.keys = keys
	// Visit the cells from the highest bound down, popping them from a
	// max-heap: a search visits few of them.
	for i := len(keys)/2 - 1; i >= 0; i-- {
		siftDown(keys, i)
	}
	s.scanned = len(c.other)
	for len(keys) > 0 {
		key := keys[0]
		keys[0] = keys[len(keys)-1]
		keys = keys[:len(keys)-1]
		siftDown(keys, 0)
		thr := float64(threshold(h, k))
		if key.bound+cosPad < thr {
			break
		}
		j := int(key.cell)
		lo, hi := int(c.lo[j]), int(c.lo[j+1])
		if !math.IsInf(thr, -1) {
			// Rows with |t - a_v| > alpha score below thr.
			alpha := math.Acos(max(-1, thr-cosPad))
			t := math.Acos(key.ct)
			// Blocks from the last whose first row is below t - alpha
			// to the first whose first row is above t + alpha.
			first := c.first[lo/16 : hi/16]
			from := float32(t - alpha - anglePad)
			to := float32(t + alpha + anglePad)
			a, b := max(0, firstAbove(first, from, false)-1), firstAbove(first, to, true)
			lo, hi = lo+16*a, lo+16*b
		}
		if lo >= hi {
			continue
		}
		s.scanned += hi - lo
		h = s.scanBlocks(c, lo, hi, k, exclude, h)
	}
	if float64(threshold(h, k)) <= 0 { // zero rows score ±0
		h = scanList(c.zero, s.ix.unit, q, k, exclude, h)
	}
	return h
}

// siftDown restores the max-heap order of keys below i.
func siftDown(keys []cellKey, i int) {
	for {
		c := 2*i + 1
		if c >= len(keys) {
			return
		}
		if c+1 < len(keys) && keys[c+1].bound > keys[c].bound {
			c++
		}
		if keys[c].bound <= keys[i].bound {
			return
		}
		keys[i], keys[c] = keys[c], keys[i]
		i = c
	}
}

// firstAbove returns the first index of the ascending a whose element is
// at least x (above x if strict), or len(a).
func firstAbove(a []float32, x float32, strict bool) int {
	lo, hi := 0, len(a)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a[m] < x || (strict && a[m] == x) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// scanBlocks scores rows [lo, hi) of c (whole blocks) and offers those
// that can enter h.
func (s *Searcher) scanBlocks(c *cells, lo, hi, k, exclude int, h []Hit) []Hit {
	dim := c.dim
	nb := (hi - lo) / 16
	if cap(s.masks) < nb {
		s.masks = make([]uint16, nb)
		s.scores = make([]float32, 16*nb)
	}
	masks, scores := s.masks[:nb], s.scores[:16*nb]
	thr := threshold(h, k)
	scoreBlocks(c.rows[lo*dim:hi*dim], dim, s.q, dim != 10, thr, scores, masks)
	for b, m := range masks {
		for m != 0 {
			i := b*16 + bits.TrailingZeros16(m)
			m &= m - 1
			if sc := scores[i]; sc >= thr {
				if p := int(c.pos[lo+i]); p != exclude && p >= 0 {
					h = offer(h, k, Hit{Pos: p, Score: sc})
					thr = threshold(h, k)
				}
			}
		}
	}
	return h
}

// offer adds hit x to h if it ranks above the worst kept.
func offer(h []Hit, k int, x Hit) []Hit {
	if len(h) < k || worse(h[0], x) {
		return push(h, k, x)
	}
	return h
}

// scanList scores the rows of unit at positions list, as the plain scan
// does.
func scanList(list []int32, unit, q []float32, k, exclude int, h []Hit) []Hit {
	dim := len(q)
	thr := threshold(h, k)
	for _, p := range list {
		i := int(p)
		x := unit[i*dim : (i+1)*dim : (i+1)*dim]
		var s float32
		if dim == 10 {
			s = float32(q[0]*x[0]) + float32(q[1]*x[1]) + float32(q[2]*x[2]) + float32(q[3]*x[3]) +
				float32(q[4]*x[4]) + float32(q[5]*x[5]) + float32(q[6]*x[6]) + float32(q[7]*x[7]) +
				float32(q[8]*x[8]) + float32(q[9]*x[9])
		} else {
			for d, v := range x {
				s += float32(q[d] * v)
			}
		}
		s = clamp1(s)
		if s >= thr && i != exclude {
			h = offer(h, k, Hit{Pos: i, Score: s})
			thr = threshold(h, k)
		}
	}
	return h
}
