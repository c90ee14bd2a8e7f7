package binenc

import (
	"errors"
	"reflect"
	"testing"
)

func TestRoundTripAndDamage(t *testing.T) {
	b := Start("MAGIC")
	b = U32(b, 7)
	b = U64(b, 1<<40)
	b = Bytes(b, []byte("abc"))
	b = F32s(b, []float32{1.5, -2})
	b = F32s(b, nil)
	b = Seal(b)
	r, err := Open(b, "MAGIC")
	if err != nil {
		t.Fatal(err)
	}
	if r.U32() != 7 || r.U64() != 1<<40 || string(r.Bytes()) != "abc" || !reflect.DeepEqual(r.F32s(), []float32{1.5, -2}) || r.F32s() != nil || !r.OK() {
		t.Fatal("round trip")
	}
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 4
		if _, err := Open(c, "MAGIC"); !errors.Is(err, ErrFrame) {
			t.Fatalf("flip at %d not detected", i)
		}
	}
	if _, err := Open(b[:3], "MAGIC"); err == nil {
		t.Error("short frame accepted")
	}
	r, _ = Open(Seal(U32(Start("M"), 1000)), "M")
	if r.Bytes() != nil || r.OK() {
		t.Error("a length past the end was accepted")
	}
}

// TestOpenConfig: a frame opens under its own configuration, names both on
// another, opens unchecked under the old magic, and damage is ErrFrame.
func TestOpenConfig(t *testing.T) {
	type cfg struct{ LR float32 }
	b := Seal(U32(StartConfig("MAGICNEW", cfg{0.1}), 7))
	r, err := OpenConfig(b, "MAGICNEW", "MAGICOLD", cfg{0.1})
	if err != nil || r.U32() != 7 || !r.OK() {
		t.Fatalf("own configuration: %v", err)
	}
	var mm *ConfigMismatch
	if _, err := OpenConfig(b, "MAGICNEW", "MAGICOLD", cfg{0.2}); !errors.As(err, &mm) || mm.Saved != "{LR:0.1}" || mm.Here != "{LR:0.2}" {
		t.Errorf("other configuration: %v", err)
	}
	old := Seal(U32(Start("MAGICOLD"), 7))
	if r, err := OpenConfig(old, "MAGICNEW", "MAGICOLD", cfg{0.2}); err != nil || r.U32() != 7 {
		t.Errorf("old format: %v", err)
	}
	b[len(b)/2] ^= 1
	if _, err := OpenConfig(b, "MAGICNEW", "MAGICOLD", cfg{0.1}); !errors.Is(err, ErrFrame) {
		t.Errorf("damaged frame: %v", err)
	}
}
