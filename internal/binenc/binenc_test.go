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
