//go:build !amd64 || purego

package index

const hasAVX512 = false

// scoreBlocks is scoreBlocksGo.
func scoreBlocks(rows []float32, dim int, q []float32, zero bool, thr float32, scores []float32, masks []uint16) {
	scoreBlocksGo(rows, dim, q, zero, thr, scores, masks)
}
