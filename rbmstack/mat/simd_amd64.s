//go:build amd64 && !purego

#include "textflag.h"

// The constants of Exp, in Z15-Z31 (see sigmoid16).
#define EXPCONSTS \
	MOVL         $0x3fb8aa3b, AX \ // log2e
	VPBROADCASTD AX, Z16         \
	MOVL         $0x3f000000, AX \ // 0.5, also the last coefficient
	VPBROADCASTD AX, Z17         \
	MOVL         $0x3f318000, AX \ // ln2hi
	VPBROADCASTD AX, Z18         \
	MOVL         $0xb95e8083, AX \ // ln2lo
	VPBROADCASTD AX, Z19         \
	MOVL         $0x39506967, AX \ // 1.9875691500e-4
	VPBROADCASTD AX, Z20         \
	MOVL         $0x3ab743ce, AX \ // 1.3981999507e-3
	VPBROADCASTD AX, Z21         \
	MOVL         $0x3c088908, AX \ // 8.3334519073e-3
	VPBROADCASTD AX, Z22         \
	MOVL         $0x3d2aa9c1, AX \ // 4.1665795894e-2
	VPBROADCASTD AX, Z23         \
	MOVL         $0x3e2aaaaa, AX \ // 1.6666665459e-1
	VPBROADCASTD AX, Z24         \
	MOVL         $0x3f800000, AX \ // 1
	VPBROADCASTD AX, Z26         \
	MOVL         $0xc2aea8f6, AX \ // -87.33
	VPBROADCASTD AX, Z27         \
	MOVL         $0x42b170a4, AX \ // 88.72
	VPBROADCASTD AX, Z28         \
	MOVL         $0x80000000, AX \ // sign bit
	VPBROADCASTD AX, Z29         \
	MOVL         $127, AX        \ // exponent bias
	VPBROADCASTD AX, Z30         \
	MOVL         $0x7f800000, AX \ // +Inf
	VPBROADCASTD AX, Z31         \
	VPXORD       Z15, Z15, Z15   // 0

// Z5 = Exp(Z0), as mat.Exp computes it; uses Z1-Z7, K1, K2.
#define EXP \
	VMULPS     Z16, Z0, Z1         \ // x*log2e
	VADDPS     Z17, Z1, Z1         \ // fn
	VCVTTPS2DQ Z1, Z2              \ // trunc(fn)
	VPSRLD     $31, Z1, Z3         \ // signbit(fn)
	VPSUBD     Z3, Z2, Z2          \ // n
	VCVTDQ2PS  Z2, Z3              \ // nf
	VMULPS     Z18, Z3, Z4         \ // nf*ln2hi
	VSUBPS     Z4, Z0, Z4          \ // x - nf*ln2hi
	VMULPS     Z19, Z3, Z5         \ // nf*ln2lo
	VSUBPS     Z5, Z4, Z4          \ // r
	VMULPS     Z4, Z20, Z5         \ // p = c0*r + c1, ...
	VADDPS     Z21, Z5, Z5         \
	VMULPS     Z4, Z5, Z5          \
	VADDPS     Z22, Z5, Z5         \
	VMULPS     Z4, Z5, Z5          \
	VADDPS     Z23, Z5, Z5         \
	VMULPS     Z4, Z5, Z5          \
	VADDPS     Z24, Z5, Z5         \
	VMULPS     Z4, Z5, Z5          \
	VADDPS     Z17, Z5, Z5         \
	VMULPS     Z4, Z5, Z5          \ // p*r
	VMULPS     Z4, Z5, Z5          \ // p*r*r
	VADDPS     Z4, Z5, Z5          \ // + r
	VADDPS     Z26, Z5, Z5         \ // + 1
	VPSRAD     $1, Z2, Z6          \ // n>>1
	VPSUBD     Z6, Z2, Z7          \ // n - n>>1
	VPADDD     Z30, Z6, Z6         \
	VPADDD     Z30, Z7, Z7         \
	VPSLLD     $23, Z6, Z6         \ // 2**(n>>1)
	VPSLLD     $23, Z7, Z7         \ // 2**(n - n>>1)
	VMULPS     Z6, Z5, Z5          \ // exact
	VMULPS     Z7, Z5, Z5          \ // e**x, rounded once
	VCMPPS     $0x11, Z27, Z0, K1  \ // x < -87.33 (ordered, quiet)
	VCMPPS     $0x1e, Z28, Z0, K2  \ // x > 88.72
	VMOVAPS    Z15, K1, Z5         \
	VMOVAPS    Z31, K2, Z5

// func sigmoid16(x *float32, n int)
//
// x[i] = 1/(1 + Exp(-x[i])), Exp as in mat.go: Cody-Waite reduction with
// n = trunc(fn) - signbit(fn), fn = x*log2e + 0.5, the Horner polynomial,
// and the scaling by 2**n done as two exact halves, 2**(n>>1) then
// 2**(n - n>>1), which rounds once as Exp's single (or split) scaling
// does. Below -87.33 Exp is 0, above 88.72 +Inf. No fused multiply-add:
// every product and sum rounds to float32 as the Go code's do.
TEXT ·sigmoid16(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $4, CX
	JZ   sdone
	EXPCONSTS

sloop:
	VMOVUPS (DI), Z0
	VPXORD  Z29, Z0, Z0 // x = -v
	EXP
	VADDPS  Z26, Z5, Z5 // 1 + e
	VDIVPS  Z5, Z26, Z5 // 1/(1 + e)
	VMOVUPS Z5, (DI)
	ADDQ    $64, DI
	DECQ    CX
	JNZ     sloop

sdone:
	VZEROUPPER
	RET

// func expShift16(x *float32, n int, shift float32)
//
// x[i] = Exp(x[i] - shift), the subtraction rounded to float32 first.
TEXT ·expShift16(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $4, CX
	JZ   edone
	EXPCONSTS
	VBROADCASTSS shift+16(FP), Z14

eloop:
	VMOVUPS (DI), Z0
	VSUBPS  Z14, Z0, Z0
	EXP
	VMOVUPS Z5, (DI)
	ADDQ    $64, DI
	DECQ    CX
	JNZ     eloop

edone:
	VZEROUPPER
	RET

// func momentum16(w, inc, grad *float32, n int, mom, lr, wd float32)
//
// inc[i] = mom*inc[i] + lr*(grad[i] - wd*w[i]); w[i] += inc[i].
TEXT ·momentum16(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), DI
	MOVQ inc+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   mdone
	VBROADCASTSS mom+32(FP), Z16
	VBROADCASTSS lr+36(FP), Z17
	VBROADCASTSS wd+40(FP), Z18

mloop:
	VMOVUPS (DI), Z0    // w
	VMOVUPS (SI), Z1    // inc
	VMOVUPS (DX), Z2    // grad
	VMULPS  Z0, Z18, Z3 // wd*w
	VSUBPS  Z3, Z2, Z3  // grad - wd*w
	VMULPS  Z3, Z17, Z3 // lr*(...)
	VMULPS  Z1, Z16, Z1 // mom*inc
	VADDPS  Z3, Z1, Z1  // inc
	VADDPS  Z1, Z0, Z0  // w + inc
	VMOVUPS Z1, (SI)
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     mloop

mdone:
	VZEROUPPER
	RET

// func adam16(p, grad, m, v *float32, n int, lr float32)
//
// m[i] = 0.9*m[i] + 0.1*g[i]; v[i] = 0.999*v[i] + (0.001*g[i])*g[i];
// p[i] -= (lr*m[i]) / (sqrt(v[i]) + 1e-8), each constant the float32 the
// Go code's is.
TEXT ·adam16(SB), NOSPLIT, $0-44
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ v+24(FP), BX
	MOVQ n+32(FP), CX
	SHRQ $4, CX
	JZ   adone
	VBROADCASTSS lr+40(FP), Z16
	MOVL         $0x3f666666, AX // 0.9
	VPBROADCASTD AX, Z17
	MOVL         $0x3dcccccd, AX // 0.1
	VPBROADCASTD AX, Z18
	MOVL         $0x3f7fbe77, AX // 0.999
	VPBROADCASTD AX, Z19
	MOVL         $0x3a83126f, AX // 0.001
	VPBROADCASTD AX, Z20
	MOVL         $0x322bcc77, AX // 1e-8
	VPBROADCASTD AX, Z21

aloop:
	VMOVUPS (SI), Z0    // g
	VMULPS  (DX), Z17, Z1 // 0.9*m
	VMULPS  Z0, Z18, Z2   // 0.1*g
	VADDPS  Z2, Z1, Z1    // m
	VMULPS  (BX), Z19, Z3 // 0.999*v
	VMULPS  Z0, Z20, Z4   // 0.001*g
	VMULPS  Z0, Z4, Z4    // *g
	VADDPS  Z4, Z3, Z3    // v
	VMOVUPS Z1, (DX)
	VMOVUPS Z3, (BX)
	VSQRTPS Z3, Z3
	VADDPS  Z21, Z3, Z3   // sqrt(v) + eps
	VMULPS  Z1, Z16, Z1   // lr*m
	VDIVPS  Z3, Z1, Z1    // (lr*m)/(sqrt(v)+eps)
	VMOVUPS (DI), Z5
	VSUBPS  Z1, Z5, Z5
	VMOVUPS Z5, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, BX
	DECQ    CX
	JNZ     aloop

adone:
	VZEROUPPER
	RET
