package autoencoder

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

const trainerMagic = "DSNETTRN"

// MarshalState encodes what a Trainer needs to continue exactly after the
// last finished epoch: the net, the optimizer's moments and step, the
// early-stopping record and the random stream.
func (t *Trainer) MarshalState() ([]byte, error) {
	nb, err := t.Net.MarshalBinary()
	if err != nil {
		return nil, err
	}
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	b := []byte(trainerMagic)
	for _, v := range []int{t.epoch, t.step, t.bestEpoch, t.sinceBest} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(t.bestLoss))
	for _, part := range [][]byte{nb, st} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(part)))
		b = append(b, part...)
	}
	for _, f := range [][]float32{t.m, t.v, t.best} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		for _, x := range f {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// RestoreState loads a state written by MarshalState into t, which must
// have been made by NewTrainer with the same net shape, data and config.
// Damaged data give ErrCorrupt.
func (t *Trainer) RestoreState(data []byte) error {
	if len(data) < len(trainerMagic)+44 || string(data[:len(trainerMagic)]) != trainerMagic {
		return fmt.Errorf("%w: not a trainer state", ErrCorrupt)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return fmt.Errorf("%w: trainer state checksum mismatch", ErrCorrupt)
	}
	p := body[len(trainerMagic):]
	var ints [4]int
	for i := range ints {
		ints[i] = int(binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	bestLoss := math.Float64frombits(binary.LittleEndian.Uint64(p))
	p = p[8:]
	bad := fmt.Errorf("%w: trainer state truncated", ErrCorrupt)
	var parts [2][]byte
	for i := range parts {
		if len(p) < 4 {
			return bad
		}
		n := int(binary.LittleEndian.Uint32(p))
		p = p[4:]
		if n > len(p) {
			return bad
		}
		parts[i], p = p[:n], p[n:]
	}
	var fl [3][]float32
	for i := range fl {
		if len(p) < 4 {
			return bad
		}
		n := int(binary.LittleEndian.Uint32(p))
		p = p[4:]
		if 4*n > len(p) {
			return bad
		}
		if n > 0 {
			fl[i] = make([]float32, n)
			for j := range fl[i] {
				fl[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*j:]))
			}
		}
		p = p[4*n:]
	}
	if len(p) != 0 {
		return bad
	}
	var n Net
	if err := n.UnmarshalBinary(parts[0]); err != nil {
		return err
	}
	np := len(t.Net.Params)
	if len(n.Params) != np || len(fl[0]) != len(t.m) || len(fl[1]) != len(t.v) || (fl[2] != nil && len(fl[2]) != np) {
		return fmt.Errorf("%w: trainer state does not fit this net (%v)", ErrCorrupt, n.Sizes())
	}
	if err := t.src.SetState(parts[1]); err != nil {
		return fmt.Errorf("%w: random stream: %v", ErrCorrupt, err)
	}
	copy(t.Net.Params, n.Params)
	t.epoch, t.step, t.bestEpoch, t.sinceBest = ints[0], ints[1], ints[2], ints[3]
	t.bestLoss = bestLoss
	copy(t.m, fl[0])
	copy(t.v, fl[1])
	t.best = fl[2]
	return nil
}
