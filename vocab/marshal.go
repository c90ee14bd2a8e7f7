package vocab

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/docsearch/docsearch/internal/binenc"
)

// vocabFormat is the stored Vocab, in the binenc frame "DSVOCAB\x00"
// version 1, every field an unsigned varint unless said:
//
//	options  Size, MinLength, flags byte (1: Stem, 2: KeepDigits)
//	docs     Docs
//	n        number of terms
//	n times  len(term), term bytes, DF, Count
var vocabFormat = binenc.Format{Name: "vocabulary", Magic: "DSVOCAB\x00", Version: 1}

const (
	flagStem       = 1
	flagKeepDigits = 2
)

// MarshalBinary encodes v in the format described above.
func (v *Vocab) MarshalBinary() ([]byte, error) {
	if len(v.DF) != len(v.Terms) || len(v.Count) != len(v.Terms) {
		return nil, fmt.Errorf("vocab: marshal: %d terms but %d DF and %d Count", len(v.Terms), len(v.DF), len(v.Count))
	}
	o := v.Opts
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("vocab: marshal: %w", err)
	}
	w := vocabFormat.NewWriter()
	w.RawBytes(appendOptions(nil, o))
	w.Uvarint(uint64(v.Docs))
	w.Uvarint(uint64(len(v.Terms)))
	for i, t := range v.Terms {
		if v.DF[i] < 0 || v.Count[i] < 0 {
			return nil, fmt.Errorf("vocab: marshal: negative statistics for term %q", t)
		}
		w.Uvarint(uint64(len(t)))
		w.RawBytes([]byte(t))
		w.Uvarint(uint64(v.DF[i]))
		w.Uvarint(uint64(v.Count[i]))
	}
	return w.Seal(), nil
}

// appendOptions appends o as the options field of the format (and of
// Fingerprint).
func appendOptions(b []byte, o Options) []byte {
	b = binary.AppendUvarint(b, uint64(o.Size))
	b = binary.AppendUvarint(b, uint64(o.MinLength))
	var flags byte
	if o.Stem {
		flags |= flagStem
	}
	if o.KeepDigits {
		flags |= flagKeepDigits
	}
	return append(b, flags)
}

// UnmarshalBinary decodes data written by MarshalBinary into v. Damaged data
// gives an error wrapping ErrCorrupt, data of another format version one
// wrapping ErrVersion; v is left unchanged then.
func (v *Vocab) UnmarshalBinary(data []byte) error {
	rd, err := vocabFormat.Open(data)
	if err != nil {
		return err
	}
	var o Options
	o.Size = int(rd.Uvarint("Size", math.MaxInt32))
	o.MinLength = int(rd.Uvarint("MinLength", math.MaxInt32))
	flags := rd.U8()
	o.Stem, o.KeepDigits = flags&flagStem != 0, flags&flagKeepDigits != 0
	if flags&^(flagStem|flagKeepDigits) != 0 {
		rd.Fail("unknown option flags %#x", flags)
	}
	docs := int(rd.Uvarint("Docs", math.MaxInt))
	// Each term takes at least three bytes: this bounds n before allocating.
	n := int(rd.Uvarint("number of terms", uint64(rd.Left()/3)))
	if rd.Failed() {
		return rd.Err()
	}
	if err := o.Validate(); err != nil {
		rd.Fail("%v", err)
	} else if n > o.Size {
		rd.Fail("%d terms, more than Size %d", n, o.Size)
	}
	terms, df, count := make([]string, n), make([]int, n), make([]int64, n)
	seen := make(map[string]struct{}, n)
	for i := 0; i < n && !rd.Failed(); i++ {
		l := int(rd.Uvarint("term length", uint64(rd.Left())))
		if l == 0 && !rd.Failed() {
			rd.Fail("empty term")
		}
		terms[i] = string(rd.RawBytes(l))
		df[i] = int(rd.Uvarint("DF", uint64(docs)))
		count[i] = int64(rd.Uvarint("Count", math.MaxInt))
		if _, dup := seen[terms[i]]; dup && !rd.Failed() {
			rd.Fail("term %q repeated", terms[i])
		}
		seen[terms[i]] = struct{}{}
	}
	if err := rd.Err(); err != nil {
		return err
	}
	v.Terms, v.DF, v.Count, v.Docs, v.Opts = terms, df, count, docs, o
	v.st.Store(newVocabState(v, nil))
	return nil
}
