package rbmstack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"

	"github.com/docsearch/docsearch/internal/atomicfile"
)

const trainerMagic = "DSRBMTRN"

// MarshalState encodes everything a Trainer needs to continue exactly
// where it stopped at an epoch boundary: the RBM, the momentum buffers,
// the random stream, the persistent chains and the epoch count.
func (t *Trainer) MarshalState() ([]byte, error) {
	rb, err := (&Stack{Layers: []*RBM{t.R}}).MarshalBinary()
	if err != nil {
		return nil, err
	}
	st, err := t.src.State()
	if err != nil {
		return nil, err
	}
	b := []byte(trainerMagic)
	b = binary.LittleEndian.AppendUint32(b, uint32(t.epoch))
	for _, part := range [][]byte{rb, st} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(part)))
		b = append(b, part...)
	}
	for _, f := range [][]float32{t.incW, t.incB, t.incA, t.chainH.Data} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
		for _, x := range f {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(t.chainH.Rows))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

// RestoreState loads a state written by MarshalState into t, whose RBM
// must have the same shape. Damaged data give ErrCorrupt.
func (t *Trainer) RestoreState(data []byte) error {
	if len(data) < len(trainerMagic)+8 || string(data[:len(trainerMagic)]) != trainerMagic {
		return fmt.Errorf("%w: not a trainer state", ErrCorrupt)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return fmt.Errorf("%w: trainer state checksum mismatch", ErrCorrupt)
	}
	p := body[len(trainerMagic):]
	bad := fmt.Errorf("%w: trainer state truncated", ErrCorrupt)
	u32 := func() (int, bool) {
		if len(p) < 4 {
			return 0, false
		}
		v := int(binary.LittleEndian.Uint32(p))
		p = p[4:]
		return v, true
	}
	bytes := func() ([]byte, bool) {
		n, ok := u32()
		if !ok || n > len(p) {
			return nil, false
		}
		out := p[:n]
		p = p[n:]
		return out, true
	}
	floats := func() ([]float32, bool) {
		n, ok := u32()
		if !ok || 4*n > len(p) {
			return nil, false
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
		}
		p = p[4*n:]
		return out, true
	}
	epoch, ok := u32()
	if !ok {
		return bad
	}
	rb, ok1 := bytes()
	st, ok2 := bytes()
	incW, ok3 := floats()
	incB, ok4 := floats()
	incA, ok5 := floats()
	chain, ok6 := floats()
	rows, ok7 := u32()
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || len(p) != 0 {
		return bad
	}
	var s Stack
	if err := s.UnmarshalBinary(rb); err != nil {
		return err
	}
	r := s.Layers[0]
	if r.NVis != t.R.NVis || r.NHid != t.R.NHid || r.Vis != t.R.Vis || r.Hid != t.R.Hid ||
		len(incW) != len(t.incW) || len(incB) != len(t.incB) || len(incA) != len(t.incA) || (rows > 0 && len(chain) != rows*r.NHid) {
		return fmt.Errorf("%w: trainer state is for a %s %d-%d %s RBM, training a %s %d-%d %s", ErrCorrupt, r.Vis, r.NVis, r.NHid, r.Hid, t.R.Vis, t.R.NVis, t.R.NHid, t.R.Hid)
	}
	if err := t.src.SetState(st); err != nil {
		return fmt.Errorf("%w: random stream: %v", ErrCorrupt, err)
	}
	*t.R = *r
	t.epoch = epoch
	copy(t.incW, incW)
	copy(t.incB, incB)
	copy(t.incA, incA)
	t.chainH.Rows, t.chainH.Cols, t.chainH.Data = rows, r.NHid, chain
	if rows == 0 {
		t.chainH.Cols, t.chainH.Data = 0, nil
	}
	return nil
}

// Checkpoint is the saved progress of a greedy stack: the finished layers
// and, when a layer was cut short, its trainer's state after the last
// finished epoch.
type Checkpoint struct {
	Stack   *Stack
	Partial []byte
}

const checkpointMagic = "DSRBMCKP"

// WriteFile stores the checkpoint at path atomically (temporary file,
// sync, rename), so a crash leaves the previous checkpoint or the new one.
func (c *Checkpoint) WriteFile(path string) error {
	var sb []byte
	if c.Stack != nil && len(c.Stack.Layers) > 0 {
		var err error
		if sb, err = c.Stack.MarshalBinary(); err != nil {
			return err
		}
	}
	b := []byte(checkpointMagic)
	for _, part := range [][]byte{sb, c.Partial} {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(part)))
		b = append(b, part...)
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return atomicfile.Write(path, b)
}

// ReadCheckpoint loads a checkpoint written by WriteFile. A missing file
// gives (nil, nil); a damaged one an error naming the file.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fail := func(what string) error { return fmt.Errorf("checkpoint %s: %w: %s", path, ErrCorrupt, what) }
	if len(b) < len(checkpointMagic)+12 || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return nil, fail("not a checkpoint")
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, fail("checksum mismatch")
	}
	p := body[len(checkpointMagic):]
	var parts [2][]byte
	for i := range parts {
		if len(p) < 4 {
			return nil, fail("truncated")
		}
		n := int(binary.LittleEndian.Uint32(p))
		p = p[4:]
		if n > len(p) {
			return nil, fail("truncated")
		}
		parts[i], p = p[:n], p[n:]
	}
	c := &Checkpoint{Stack: &Stack{}}
	if len(parts[0]) > 0 {
		if err := c.Stack.UnmarshalBinary(parts[0]); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", path, err)
		}
	}
	if len(parts[1]) > 0 {
		c.Partial = append([]byte(nil), parts[1]...)
	}
	return c, nil
}
