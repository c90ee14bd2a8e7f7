//go:build !amd64 || purego

package mat

const hasAVX512 = false

func sigmoid16(x *float32, n int) { panic("mat: no AVX-512 kernels") }

func momentum16(w, inc, grad *float32, n int, mom, lr, wd float32) {
	panic("mat: no AVX-512 kernels")
}

func adam16(p, grad, m, v *float32, n int, lr float32) { panic("mat: no AVX-512 kernels") }

func expShift16(x *float32, n int, shift float32) { panic("mat: no AVX-512 kernels") }
