package rbmstack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Errors of decoding a stored stack.
var (
	// ErrCorrupt means stored bytes fail their checksum or do not decode.
	ErrCorrupt = errors.New("rbmstack: corrupt model data")
	// ErrVersion means the data were written by another format version.
	ErrVersion = errors.New("rbmstack: unsupported model format version")
)

const (
	stackMagic   = "DSRBMSTK"
	stackVersion = 1
	maxUnits     = 1 << 24
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the stack: a magic string, a version, the layers
// (kinds, sizes, DocLen, weights, biases as little-endian float32) and a
// CRC32-C of everything before it.
func (s *Stack) MarshalBinary() ([]byte, error) {
	b := []byte(stackMagic)
	b = binary.LittleEndian.AppendUint32(b, stackVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.Layers)))
	for _, r := range s.Layers {
		b = append(b, byte(r.Vis), byte(r.Hid))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.NVis))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.NHid))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(r.DocLen))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.Labels))
		for _, p := range [][]float32{r.W, r.VisBias, r.HidBias} {
			for _, x := range p {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
			}
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// UnmarshalBinary decodes data written by MarshalBinary. Damaged data give
// an error wrapping ErrCorrupt or ErrVersion, never a panic.
func (s *Stack) UnmarshalBinary(data []byte) error {
	if len(data) < len(stackMagic)+12 || string(data[:len(stackMagic)]) != stackMagic {
		return fmt.Errorf("%w: not a stack (bad magic or too short)", ErrCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	p := body[len(stackMagic):]
	if v := binary.LittleEndian.Uint32(p); v != stackVersion {
		return fmt.Errorf("%w: version %d, this build reads %d", ErrVersion, v, stackVersion)
	}
	nl := int(binary.LittleEndian.Uint32(p[4:]))
	p = p[8:]
	if nl < 1 || nl > 64 {
		return fmt.Errorf("%w: %d layers", ErrCorrupt, nl)
	}
	layers := make([]*RBM, 0, nl)
	for i := 0; i < nl; i++ {
		if len(p) < 18 {
			return fmt.Errorf("%w: layer %d truncated", ErrCorrupt, i+1)
		}
		r := &RBM{Vis: Kind(p[0]), Hid: Kind(p[1])}
		r.NVis = int(binary.LittleEndian.Uint32(p[2:]))
		r.NHid = int(binary.LittleEndian.Uint32(p[6:]))
		r.DocLen = math.Float32frombits(binary.LittleEndian.Uint32(p[10:]))
		r.Labels = int(binary.LittleEndian.Uint32(p[14:]))
		p = p[18:]
		if r.Vis > Softmax || r.Hid > Linear || r.NVis < 1 || r.NHid < 1 || r.NVis > maxUnits || r.NHid > maxUnits || r.Labels < 0 || r.Labels >= r.NVis {
			return fmt.Errorf("%w: layer %d header (%s %d, %s %d)", ErrCorrupt, i+1, r.Vis, r.NVis, r.Hid, r.NHid)
		}
		need := (r.NVis*r.NHid + r.NVis + r.NHid) * 4
		if len(p) < need {
			return fmt.Errorf("%w: layer %d truncated", ErrCorrupt, i+1)
		}
		read := func(n int) []float32 {
			out := make([]float32, n)
			for j := range out {
				out[j] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*j:]))
			}
			p = p[4*n:]
			return out
		}
		r.W, r.VisBias, r.HidBias = read(r.NVis*r.NHid), read(r.NVis), read(r.NHid)
		if i > 0 && layers[i-1].NHid != r.NVis {
			return fmt.Errorf("%w: layer %d has %d visible units below %d hidden units", ErrCorrupt, i+1, r.NVis, layers[i-1].NHid)
		}
		layers = append(layers, r)
	}
	if len(p) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(p))
	}
	s.Layers = layers
	return nil
}
