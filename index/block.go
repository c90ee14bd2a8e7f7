package index

// Blocks: the cells store their rows in blocks of 16, dimension by
// dimension (element d of row i of a block at d*16+i), so that 16 rows are
// scored at once.

// scoreBlocksGo scores the len(masks) blocks of rows (each 16*dim floats)
// against q: scores[i] is the score of row i, sum_d float32(q_d*x_id) added
// in order of d from the first product (from 0 if zero, as scanAny does),
// clamped by clamp1; bit i%16 of masks[i/16] is set when scores[i] >= thr.
func scoreBlocksGo(rows []float32, dim int, q []float32, zero bool, thr float32, scores []float32, masks []uint16) {
	for b := range masks {
		blk := rows[b*16*dim : (b+1)*16*dim]
		var m uint16
		for i := range 16 {
			s := float32(q[0] * blk[i])
			if zero {
				s = 0 + s
			}
			for d := 1; d < dim; d++ {
				s += float32(q[d] * blk[d*16+i])
			}
			s = clamp1(s)
			scores[b*16+i] = s
			if s >= thr {
				m |= 1 << i
			}
		}
		masks[b] = m
	}
}
