//go:build amd64 && !purego

package index

import "golang.org/x/sys/cpu"

// hasAVX512 reports whether the CPU (and OS) support scoreBlocksAVX512.
var hasAVX512 = cpu.X86.HasAVX512F

// scoreBlocksAVX512 is scoreBlocksGo in AVX-512F, 16 rows at a time with
// separate multiplies and adds (no fused multiply-add), in the same order.
//
//go:noescape
func scoreBlocksAVX512(rows *float32, nblocks, dim int, q *float32, zero bool, thr float32, scores *float32, masks *uint16)

// scoreBlocks is scoreBlocksGo, in assembly where the CPU allows.
func scoreBlocks(rows []float32, dim int, q []float32, zero bool, thr float32, scores []float32, masks []uint16) {
	nb := len(masks)
	if !hasAVX512 || nb == 0 {
		scoreBlocksGo(rows, dim, q, zero, thr, scores, masks)
		return
	}
	_ = rows[nb*16*dim-1]
	_ = scores[nb*16-1]
	_ = q[dim-1]
	scoreBlocksAVX512(&rows[0], nb, dim, &q[0], zero, thr, &scores[0], &masks[0])
}
