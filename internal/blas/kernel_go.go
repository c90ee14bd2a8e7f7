package blas

import "unsafe"

// Portable versions of the assembly routines: the implementation on other
// architectures (where the gonum backend is the default) and the reference
// the assembly is tested against.

// kernGo computes the 6×w tile C = alpha*A*B + beta*C (C not read when
// beta == 0) from a packed 6×kc panel a (a[p*6+r]) and kc×w panel b
// (b[p*ldb+j]); ldb and ldc are in elements.
func kernGo(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, w int) {
	ap := unsafe.Slice(a, mr*kc)
	bp := unsafe.Slice(b, (kc-1)*ldb+w)
	var acc [mr][nrMax]float32
	for p := range kc {
		bv := bp[p*ldb : p*ldb+w]
		for r := range mr {
			ar := ap[p*mr+r]
			for j, v := range bv {
				acc[r][j] += ar * v
			}
		}
	}
	cp := unsafe.Slice(c, (mr-1)*ldc+w)
	for r := range mr {
		row := cp[r*ldc : r*ldc+w]
		for j := range row {
			if beta == 0 {
				row[j] = alpha * acc[r][j]
			} else {
				row[j] = alpha*acc[r][j] + beta*row[j]
			}
		}
	}
}

// packBNGo copies kc rows of w values, ldb apart, into dst contiguously.
func packBNGo(kc int, src *float32, ldb int, dst *float32, w int) {
	s := unsafe.Slice(src, (kc-1)*ldb+w)
	d := unsafe.Slice(dst, kc*w)
	for p := range kc {
		copy(d[p*w:p*w+w], s[p*ldb:p*ldb+w])
	}
}

// packBTGo transposes w rows (ldb apart) of kc8 values into dst:
// dst[p*w+q] = src[q*ldb+p].
func packBTGo(kc8 int, src *float32, ldb int, dst *float32, w int) {
	s := unsafe.Slice(src, (w-1)*ldb+kc8)
	d := unsafe.Slice(dst, kc8*w)
	for q := range w {
		for p := range kc8 {
			d[p*w+q] = s[q*ldb+p]
		}
	}
}

// packAN6Go packs kc8 steps of 6 rows, lda apart: dst[p*6+r] = src[r*lda+p].
func packAN6Go(kc8 int, src *float32, lda int, dst *float32) {
	s := unsafe.Slice(src, (mr-1)*lda+kc8)
	d := unsafe.Slice(dst, kc8*mr)
	for p := range kc8 {
		for r := range mr {
			d[p*mr+r] = s[r*lda+p]
		}
	}
}

// packAT6Go packs kc steps of 6 consecutive values, lda apart:
// dst[p*6+r] = src[p*lda+r].
func packAT6Go(kc int, src *float32, lda int, dst *float32) {
	s := unsafe.Slice(src, (kc-1)*lda+mr)
	d := unsafe.Slice(dst, kc*mr)
	for p := range kc {
		copy(d[p*mr:p*mr+mr], s[p*lda:p*lda+mr])
	}
}
