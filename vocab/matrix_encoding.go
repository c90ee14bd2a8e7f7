package vocab

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

const matrixMagic = "DSCSR001"

var matrixCRC = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the matrix: magic, Cols, rows, nonzeros, the row
// pointers, column indices and values (little-endian), and a CRC32-C.
func (m *Matrix) MarshalBinary() ([]byte, error) {
	rows := m.Rows()
	b := make([]byte, 0, len(matrixMagic)+12+4*(rows+1)+8*len(m.Idx)+4)
	b = append(b, matrixMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.Cols))
	b = binary.LittleEndian.AppendUint32(b, uint32(rows))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.Idx)))
	for i := 0; i <= rows; i++ {
		p := 0
		if len(m.Indptr) > 0 {
			p = m.Indptr[i]
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(p))
	}
	for _, j := range m.Idx {
		b = binary.LittleEndian.AppendUint32(b, uint32(j))
	}
	for _, v := range m.Val {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, matrixCRC)), nil
}

// UnmarshalBinary decodes data written by MarshalBinary; damaged data give
// an error wrapping ErrCorrupt, never a panic.
func (m *Matrix) UnmarshalBinary(data []byte) error {
	const head = len(matrixMagic) + 12
	if len(data) < head+8 || string(data[:len(matrixMagic)]) != matrixMagic {
		return fmt.Errorf("%w: not a count matrix", ErrCorrupt)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, matrixCRC) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return fmt.Errorf("%w: count matrix checksum mismatch", ErrCorrupt)
	}
	p := body[len(matrixMagic):]
	cols := int(binary.LittleEndian.Uint32(p))
	rows := int(binary.LittleEndian.Uint32(p[4:]))
	nnz := int(binary.LittleEndian.Uint32(p[8:]))
	p = p[12:]
	if uint64(len(p)) != 4*(uint64(rows)+1)+8*uint64(nnz) {
		return fmt.Errorf("%w: count matrix size mismatch", ErrCorrupt)
	}
	out := Matrix{Cols: cols, Indptr: make([]int, rows+1), Idx: make([]int32, nnz), Val: make([]float32, nnz)}
	for i := range out.Indptr {
		out.Indptr[i] = int(binary.LittleEndian.Uint32(p[4*i:]))
		if out.Indptr[i] > nnz || (i > 0 && out.Indptr[i] < out.Indptr[i-1]) {
			return fmt.Errorf("%w: count matrix row pointers", ErrCorrupt)
		}
	}
	if out.Indptr[0] != 0 || out.Indptr[rows] != nnz {
		return fmt.Errorf("%w: count matrix row pointers", ErrCorrupt)
	}
	p = p[4*(rows+1):]
	for k := range out.Idx {
		j := int32(binary.LittleEndian.Uint32(p[4*k:]))
		if j < 0 || int(j) >= cols {
			return fmt.Errorf("%w: count matrix column %d out of range", ErrCorrupt, j)
		}
		out.Idx[k] = j
	}
	p = p[4*nnz:]
	for k := range out.Val {
		out.Val[k] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*k:]))
	}
	*m = out
	return nil
}
