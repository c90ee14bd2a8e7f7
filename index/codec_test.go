package index

import (
	"bytes"
	"math"
	"testing"
)

func nan32() float32 { return float32(math.NaN()) }

// TestEveryBitFlip flips each bit of encoded values in turn: CRC32-C
// detects every single-bit error, so decodeValue must reject each one.
func TestEveryBitFlip(t *testing.T) {
	t.Parallel()
	cases := []struct{ key, payload []byte }{
		{slotKey(prefixDoc, 3), appendDoc(nil, Doc{ID: "id", Label: "lab", Title: "A title", Words: 9, Known: 4, Gen: 3, NoCode: true})},
		{slotKey(prefixCode, 3), appendCode(nil, []float32{1, -2, 0, 3.5})},
		{[]byte(prefixBlob + "x"), appendBlobHeader(nil, blobHeader{Size: 5, ChunkSize: 4, Chunks: 2, CRC: 7})},
		{[]byte(keyMeta), []byte(`{"format_version":2,"dim":4,"count":2,"next_slot":2,"generation":1}`)},
	}
	for _, c := range cases {
		v := appendValue(nil, c.key, c.payload)
		if p, err := decodeValue(c.key, v); err != nil || !bytes.Equal(p, c.payload) {
			t.Fatalf("%s: clean value: %v", keyString(c.key), err)
		}
		for bit := range 8 * len(v) {
			v[bit/8] ^= 1 << (bit % 8)
			if _, err := decodeValue(c.key, v); err == nil {
				t.Errorf("%s: flip of bit %d not detected", keyString(c.key), bit)
			}
			v[bit/8] ^= 1 << (bit % 8)
		}
	}
}

func TestDecoders(t *testing.T) {
	t.Parallel()
	for _, d := range []Doc{
		{ID: "x", Label: "", Title: string(make([]byte, 300))},
		{ID: "y", Label: "l", Words: 1 << 20, Known: 17, Gen: 1 << 40, NoCode: true},
	} {
		if got, err := decodeDoc(appendDoc(nil, d)); err != nil || got != d {
			t.Errorf("doc round trip: %+v, %v", got, err)
		}
	}
	for _, bad := range [][]byte{nil, {5, 'a'}, {0, 0, 0, 1}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{1, 'a', 0, 0, 0, 0, 0},    // no flags byte
		{1, 'a', 0, 0, 1, 2, 0, 0}, // 2 known of 1 word
		{1, 'a', 0, 0, 0, 0, 0, 2}, // unknown flag
		{0, 0, 0, 0, 0, 0, 0},      // empty id
	} {
		if _, err := decodeDoc(bad); err == nil {
			t.Errorf("decodeDoc(%q) accepted", bad)
		}
	}
	h := blobHeader{Size: 10, ChunkSize: 4, Chunks: 3, CRC: 1}
	if got, err := decodeBlobHeader(appendBlobHeader(nil, h)); err != nil || got != h {
		t.Errorf("blob header round trip: %+v, %v", got, err)
	}
	if h.chunkLen(0) != 4 || h.chunkLen(2) != 2 {
		t.Errorf("chunkLen: %d %d", h.chunkLen(0), h.chunkLen(2))
	}
	for _, bad := range []blobHeader{{Size: 10, ChunkSize: 4, Chunks: 2}, {Size: 1, ChunkSize: 0, Chunks: 1}, {Size: 0, ChunkSize: 4, Chunks: 1}} {
		if _, err := decodeBlobHeader(appendBlobHeader(nil, bad)); err == nil {
			t.Errorf("blob header %+v accepted", bad)
		}
	}
	for _, bad := range []string{`{`, `{"format_version":2,"dim":0,"count":1,"next_slot":1,"generation":1}`,
		`{"format_version":2,"dim":3,"count":-1,"generation":1}`, `{"format_version":2,"dim":3,"count":2,"next_slot":1,"generation":1}`,
		`{"format_version":2,"dim":3,"count":0,"next_slot":1}`} {
		if _, err := decodeMeta([]byte(bad)); err == nil {
			t.Errorf("meta %s accepted", bad)
		}
	}
}

// FuzzDecode feeds arbitrary bytes to every value decoder: none may panic,
// and what decodes must re-encode to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(slotKey(prefixDoc, 1), appendValue(nil, slotKey(prefixDoc, 1), appendDoc(nil, Doc{ID: "a", Label: "b", Title: "c", Words: 3, Known: 2, Gen: 1})))
	f.Add(slotKey(prefixCode, 1), appendValue(nil, slotKey(prefixCode, 1), appendCode(nil, []float32{1, 2, 3})))
	f.Add([]byte("b/x"), appendValue(nil, []byte("b/x"), appendBlobHeader(nil, blobHeader{Size: 3, ChunkSize: 2, Chunks: 2})))
	f.Add([]byte("m"), appendValue(nil, []byte("m"), []byte(`{"format_version":2,"dim":3,"count":1,"next_slot":1,"generation":1,"extra":{"a":"b"}}`)))
	f.Add([]byte("p/x\x00\x00\x00\x00\x01"), []byte{})
	f.Fuzz(func(t *testing.T, key, v []byte) {
		_ = keyString(key)
		for _, p := range [][]byte{v, checkedPayload(key, v)} {
			if p == nil {
				continue
			}
			if d, err := decodeDoc(p); err == nil && !bytes.Equal(appendDoc(nil, d), p) {
				t.Errorf("doc %q re-encodes differently", p)
			}
			if len(p)%4 == 0 && len(p) <= 4*maxDim {
				c := make([]float32, len(p)/4)
				if err := decodeCodeTo(c, p); err == nil && !bytes.Equal(appendCode(nil, c), p) {
					t.Errorf("code %x re-encodes differently", p)
				}
			}
			_ = decodeCodeTo(make([]float32, 3), p)
			if h, err := decodeBlobHeader(p); err == nil {
				for i := range int(min(h.Chunks, 4)) {
					if n := h.chunkLen(i); n <= 0 || n > int(h.ChunkSize) {
						t.Errorf("header %+v: chunk %d length %d", h, i, n)
					}
				}
			}
			_, _ = decodeMeta(p)
		}
	})
}

func checkedPayload(key, v []byte) []byte {
	p, err := decodeValue(key, v)
	if err != nil {
		return nil
	}
	return p
}
