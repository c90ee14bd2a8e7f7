package vocab

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{Size: 100}, {Stem: true, KeepDigits: true, MinLength: 3}} {
		v := buildKnown(t, o)
		data, err := v.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var w Vocab
		if err := w.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(w.Terms, v.Terms) || !slices.Equal(w.DF, v.DF) || !slices.Equal(w.Count, v.Count) ||
			w.Docs != v.Docs || w.Opts != v.Opts {
			t.Errorf("round trip of %+v changed the vocabulary:\n got %q %v %v %d %+v\nwant %q %v %v %d %+v",
				o, w.Terms, w.DF, w.Count, w.Docs, w.Opts, v.Terms, v.DF, v.Count, v.Docs, v.Opts)
		}
		if w.Fingerprint() != v.Fingerprint() {
			t.Error("round trip changed the Fingerprint")
		}
		text := "Cats and dogs: the cat's toys, x11 at cs.cmu.edu"
		if a, b := w.Vectorize(text), v.Vectorize(text); !slices.Equal(a.Idx, b.Idx) || !slices.Equal(a.Val, b.Val) {
			t.Errorf("round trip changed Vectorize: %v %v, want %v %v", a.Idx, a.Val, b.Idx, b.Val)
		}
		again, err := w.MarshalBinary()
		if err != nil || !slices.Equal(again, data) {
			t.Error("marshal of the unmarshalled vocabulary differs")
		}
	}
}

func TestMarshalInvalid(t *testing.T) {
	t.Parallel()
	bad := []*Vocab{
		{Terms: []string{"a"}, DF: []int{1}},                                             // no Count
		{Terms: []string{"a"}, DF: []int{-1}, Count: []int64{1}},                         // negative DF
		{Terms: []string{"a"}, DF: []int{1}, Count: []int64{1}, Opts: Options{Size: -1}}, // bad options
	}
	for i, v := range bad {
		if _, err := v.MarshalBinary(); err == nil {
			t.Errorf("case %d: MarshalBinary accepted an invalid vocabulary", i)
		}
	}
}

// smallVocabData returns the encoding of a small vocabulary.
func smallVocabData(t testing.TB) []byte {
	v := &Vocab{
		Terms: []string{"cats", "dog", "o'reilly"},
		DF:    []int{2, 2, 1},
		Count: []int64{5, 2, 1},
		Docs:  3,
		Opts:  Options{Size: 10, MinLength: 2, Stem: true},
	}
	data, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// reseal replaces the checksum of data after an edit, as a writer of a
// different format would.
func reseal(data []byte) []byte {
	body := data[:len(data)-4]
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
}

func TestUnmarshalCorrupt(t *testing.T) {
	t.Parallel()
	data := smallVocabData(t)
	check := func(what string, d []byte, want error) {
		t.Helper()
		v := &Vocab{Terms: []string{"keep"}}
		err := v.UnmarshalBinary(d)
		if !errors.Is(err, want) {
			t.Fatalf("%s: err = %v, want %v", what, err, want)
		}
		if len(v.Terms) != 1 || v.Terms[0] != "keep" {
			t.Fatalf("%s: a failed UnmarshalBinary changed the Vocab", what)
		}
	}
	for n := range len(data) {
		check("truncated", data[:n], ErrCorrupt)
	}
	for i := range len(data) * 8 {
		d := slices.Clone(data)
		d[i/8] ^= 1 << (i % 8)
		check("bit flip", d, ErrCorrupt)
	}
	check("trailing byte", append(slices.Clone(data), 0), ErrCorrupt)

	// Intact data of another version.
	d := slices.Clone(data)
	binary.LittleEndian.PutUint32(d[len(vocabFormat.Magic):], vocabFormat.Version+1)
	check("version", reseal(d), ErrVersion)

	// Sealed but inconsistent content: a repeated term, too many terms
	// for Size, DF above Docs, unknown flags.
	edit := func(f func(v *Vocab)) []byte {
		v := &Vocab{Terms: []string{"ab", "cd"}, DF: []int{1, 1}, Count: []int64{2, 1}, Docs: 1, Opts: Options{Size: 5, MinLength: 2}}
		f(v)
		data, err := v.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	check("repeated term", edit(func(v *Vocab) { v.Terms[1] = "ab" }), ErrCorrupt)
	check("terms beyond Size", edit(func(v *Vocab) { v.Opts.Size = 1 }), ErrCorrupt)
	check("DF above Docs", edit(func(v *Vocab) { v.DF[0] = 2 }), ErrCorrupt)
	d = edit(func(*Vocab) {})
	d[len(vocabFormat.Magic)+4+2] |= 0x80 // the flags byte follows Size and MinLength, one byte each here
	check("unknown flags", reseal(d), ErrCorrupt)
}

func FuzzUnmarshal(f *testing.F) {
	data := smallVocabData(f)
	f.Add(data)
	f.Add(data[len(vocabFormat.Magic)+4 : len(data)-4]) // its body, for the sealed decoding
	f.Add([]byte(vocabFormat.Magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkUnmarshal(t, data)
		// The checksum stops nearly every mutation at the door; sealing the
		// mutated bytes as a body of the current version lets the fuzzer
		// reach the parser.
		sealed := binary.LittleEndian.AppendUint32([]byte(vocabFormat.Magic), vocabFormat.Version)
		checkUnmarshal(t, reseal(append(append(sealed, data...), 0, 0, 0, 0)))
	})
}

// checkUnmarshal decodes data: it may fail, with ErrCorrupt or ErrVersion,
// but what it accepts must encode back to data and work.
func checkUnmarshal(t *testing.T, data []byte) {
	var v Vocab
	if err := v.UnmarshalBinary(data); err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
			t.Fatalf("error %v wraps neither ErrCorrupt nor ErrVersion", err)
		}
		return
	}
	again, err := v.MarshalBinary()
	if err != nil {
		t.Fatalf("decoded vocabulary does not encode: %v", err)
	}
	if !slices.Equal(again, data) {
		t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, data)
	}
	vec := v.Vectorize("some text about cats and dogs")
	for _, j := range vec.Idx {
		if int(j) >= v.Len() {
			t.Fatalf("index %d beyond %d terms", j, v.Len())
		}
	}
	v.Fingerprint()
}
