package binenc

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var testFormat = Format{Name: "test data", Magic: "DSTEST01", Version: 2, Oldest: 1, Retired: []string{"DSTEST00"}}

func TestRoundTripAndDamage(t *testing.T) {
	w := testFormat.NewWriter()
	w.U8(9)
	w.U32(7)
	w.U64(1 << 40)
	w.F32(1.5)
	w.F64(-2.25)
	w.Uvarint(300)
	w.Bytes([]byte("abc"))
	w.String("de")
	w.F32s([]float32{1.5, -2})
	w.F32s(nil)
	w.RawF32s([]float32{3})
	b := w.Seal()
	r, err := testFormat.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version() != 2 || r.U8() != 9 || r.U32() != 7 || r.U64() != 1<<40 || r.F32() != 1.5 || r.F64() != -2.25 ||
		r.Uvarint("n", 1000) != 300 || string(r.Bytes()) != "abc" || r.String() != "de" ||
		!reflect.DeepEqual(r.F32s(), []float32{1.5, -2}) || r.F32s() != nil || !reflect.DeepEqual(r.RawF32s(1), []float32{3}) {
		t.Fatal("round trip")
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 4
		if _, err := testFormat.Open(c); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip at %d not detected: %v", i, err)
		}
	}
	if _, err := testFormat.Open(b[:3]); !errors.Is(err, ErrCorrupt) {
		t.Error("short frame accepted")
	}
}

// TestReaderProblems: a length past the end, a value out of range, an
// overlong varint and trailing bytes are corrupt data naming the format.
func TestReaderProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		fill func(w *Writer)
		read func(r *Reader)
		want string
	}{
		{"length past the end", func(w *Writer) { w.U32(1000) }, func(r *Reader) { r.Bytes() }, "truncated"},
		{"floats past the end", func(w *Writer) { w.U32(1 << 30) }, func(r *Reader) { r.F32s() }, "truncated"},
		{"out of range", func(w *Writer) { w.U32(70) }, func(r *Reader) { r.Int("layers", 64) }, "layers 70 out of range"},
		{"overlong varint", func(w *Writer) { w.b = append(w.b, 0x81, 0x00) }, func(r *Reader) { r.Uvarint("docs", 10) }, "overlong varint"},
		{"trailing bytes", func(w *Writer) { w.U32(1); w.U8(0) }, func(r *Reader) { r.U32() }, "1 bytes after the last field"},
		{"reported", func(w *Writer) {}, func(r *Reader) { r.Fail("term %q repeated", "x") }, `term "x" repeated`},
	} {
		w := testFormat.NewWriter()
		tc.fill(w)
		r, err := testFormat.Open(w.Seal())
		if err != nil {
			t.Fatal(err)
		}
		tc.read(r)
		err = r.Err()
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Format != "test data" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a corrupt test data error with %q", tc.name, err, tc.want)
		}
	}
}

// TestVersions: versions outside [Oldest, Version] and retired magics are
// version errors that say who wrote them; unversioned frames still open.
func TestVersions(t *testing.T) {
	for _, tc := range []struct {
		v    uint32
		ok   bool
		want string
	}{{1, true, ""}, {2, true, ""}, {3, false, "a newer docsearch"}} {
		f := testFormat
		f.Version = tc.v
		_, err := testFormat.Open(f.NewWriter().Seal())
		if tc.ok != (err == nil) || !tc.ok && (!errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("version %d: %v", tc.v, err)
		}
	}
	old := Format{Name: "test data", Magic: "DSTEST00", Version: 5}
	if _, err := testFormat.Open(old.NewWriter().Seal()); !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "an older docsearch") {
		t.Errorf("retired format: %v", err)
	}
	w := &Writer{b: []byte("DSOLD001")}
	w.U32(7)
	r, err := OpenUnversioned("old data", "DSOLD001", w.Seal())
	if err != nil || r.U32() != 7 || r.Err() != nil {
		t.Errorf("unversioned frame: %v", err)
	}
}

// TestOpenState: a state opens under its own configuration and names both
// under another.
func TestOpenState(t *testing.T) {
	type cfg struct{ LR float32 }
	w := testFormat.NewWriter()
	w.Config(cfg{0.1})
	w.U32(7)
	b := w.Seal()
	r, err := testFormat.OpenState(b, cfg{0.1})
	if err != nil || r.U32() != 7 || r.Err() != nil {
		t.Fatalf("own configuration: %v", err)
	}
	var mm *ConfigMismatch
	if _, err := testFormat.OpenState(b, cfg{0.2}); !errors.As(err, &mm) || !errors.Is(err, ErrMismatch) || mm.Saved != "{LR:0.1}" || mm.Here != "{LR:0.2}" {
		t.Errorf("other configuration: %v", err)
	}
}
