package autoencoder

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Errors of decoding a stored net.
var (
	// ErrCorrupt means stored bytes fail their checksum or do not decode.
	ErrCorrupt = errors.New("autoencoder: corrupt model data")
	// ErrVersion means the data were written by another format version.
	ErrVersion = errors.New("autoencoder: unsupported model format version")
)

const (
	netMagic   = "DSNET001"
	netVersion = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the net: magic, version, loss, InputLen, Code,
// layer sizes and activations, the parameters as little-endian float32,
// and a CRC32-C of everything before it.
func (n *Net) MarshalBinary() ([]byte, error) {
	b := []byte(netMagic)
	b = binary.LittleEndian.AppendUint32(b, netVersion)
	b = append(b, byte(n.Loss))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(n.InputLen))
	b = binary.LittleEndian.AppendUint32(b, uint32(int32(n.Code)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(n.Layers)))
	b = binary.LittleEndian.AppendUint32(b, uint32(n.Layers[0].In))
	for _, l := range n.Layers {
		b = binary.LittleEndian.AppendUint32(b, uint32(l.Out))
		b = append(b, byte(l.Act))
	}
	for _, p := range n.Params {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(p))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// UnmarshalBinary decodes data written by MarshalBinary into n. Damaged
// data give an error wrapping ErrCorrupt or ErrVersion, never a panic.
func (n *Net) UnmarshalBinary(data []byte) error {
	const head = len(netMagic) + 4 + 1 + 4 + 4 + 4 + 4
	if len(data) < head+4 || string(data[:len(netMagic)]) != netMagic {
		return fmt.Errorf("%w: not a net (bad magic or too short)", ErrCorrupt)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	p := body[len(netMagic):]
	if v := binary.LittleEndian.Uint32(p); v != netVersion {
		return fmt.Errorf("%w: version %d, this build reads %d", ErrVersion, v, netVersion)
	}
	loss := Loss(p[4])
	inputLen := math.Float32frombits(binary.LittleEndian.Uint32(p[5:]))
	code := int(int32(binary.LittleEndian.Uint32(p[9:])))
	nl := int(binary.LittleEndian.Uint32(p[13:]))
	in := int(binary.LittleEndian.Uint32(p[17:]))
	p = p[21:]
	if loss > Squared || nl < 1 || nl > 64 || code < -1 || code >= nl || in < 1 || in > 1<<24 || len(p) < 5*nl {
		return fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	sizes := []int{in}
	acts := make([]Act, nl)
	total := 0
	for i := 0; i < nl; i++ {
		out := int(binary.LittleEndian.Uint32(p))
		acts[i] = Act(p[4])
		p = p[5:]
		if out < 1 || out > 1<<24 || acts[i] > Softmax {
			return fmt.Errorf("%w: layer %d header", ErrCorrupt, i+1)
		}
		total += sizes[i]*out + out
		if total > len(data) {
			return fmt.Errorf("%w: layer %d larger than the data", ErrCorrupt, i+1)
		}
		sizes = append(sizes, out)
	}
	if len(p) != 4*total {
		return fmt.Errorf("%w: %d parameter bytes, want %d", ErrCorrupt, len(p), 4*total)
	}
	m, err := New(sizes, acts, loss, 0, 0)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for i := range m.Params {
		m.Params[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	m.InputLen, m.Code = inputLen, code
	*n = *m
	return nil
}
