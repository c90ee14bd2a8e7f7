//go:build amd64 && !purego

#include "textflag.h"

// One step p of the 6×16 micro-kernel: Y12:Y13 = b[p*16 : p*16+16],
// row r of the tile (Y(2r), Y(2r+1)) += a[p*6+r] * (Y12:Y13).
#define STEP \
	VMOVUPS      (BX), Y12;        \
	VMOVUPS      32(BX), Y13;      \
	VBROADCASTSS (AX), Y14;        \
	VBROADCASTSS 4(AX), Y15;       \
	VFMADD231PS  Y12, Y14, Y0;     \
	VFMADD231PS  Y13, Y14, Y1;     \
	VFMADD231PS  Y12, Y15, Y2;     \
	VFMADD231PS  Y13, Y15, Y3;     \
	VBROADCASTSS 8(AX), Y14;       \
	VBROADCASTSS 12(AX), Y15;      \
	VFMADD231PS  Y12, Y14, Y4;     \
	VFMADD231PS  Y13, Y14, Y5;     \
	VFMADD231PS  Y12, Y15, Y6;     \
	VFMADD231PS  Y13, Y15, Y7;     \
	VBROADCASTSS 16(AX), Y14;      \
	VBROADCASTSS 20(AX), Y15;      \
	VFMADD231PS  Y12, Y14, Y8;     \
	VFMADD231PS  Y13, Y14, Y9;     \
	VFMADD231PS  Y12, Y15, Y10;    \
	VFMADD231PS  Y13, Y15, Y11;    \
	ADDQ         $24, AX;          \
	ADDQ         $64, BX

// Row store with beta == 0: C[row] = alpha*acc.
#define STORE0(lo, hi) \
	VMULPS  Y12, lo, lo; \
	VMULPS  Y12, hi, hi; \
	VMOVUPS lo, (DI);    \
	VMOVUPS hi, 32(DI);  \
	ADDQ    DX, DI

// Row store with beta != 0: C[row] = alpha*acc + beta*C[row].
#define STOREB(lo, hi) \
	VMULPS      (DI), Y13, Y14;   \
	VMULPS      32(DI), Y13, Y15; \
	VFMADD231PS Y12, lo, Y14;     \
	VFMADD231PS Y12, hi, Y15;     \
	VMOVUPS     Y14, (DI);        \
	VMOVUPS     Y15, 32(DI);      \
	ADDQ        DX, DI

// func kern6x16(kc int, a, b, c *float32, ldc int, alpha, beta float32)
TEXT ·kern6x16(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), DX
	SHLQ $2, DX

	// Bring the C tile towards L1 while the product runs.
	MOVQ       DI, SI
	PREFETCHT0 (SI)
	PREFETCHT0 63(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 63(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 63(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 63(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 63(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 63(SI)

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	CMPQ CX, $4
	JLT  tail

loop4:
	PREFETCHT0 384(AX)
	STEP
	STEP
	STEP
	STEP
	SUBQ $4, CX
	CMPQ CX, $4
	JGE  loop4

tail:
	TESTQ CX, CX
	JEQ   store

tail1:
	STEP
	DECQ CX
	JNZ  tail1

store:
	VBROADCASTSS alpha+40(FP), Y12
	MOVL         beta+44(FP), R8
	ANDL         $0x7fffffff, R8 // beta == ±0
	JNZ          storeb
	STORE0(Y0, Y1)
	STORE0(Y2, Y3)
	STORE0(Y4, Y5)
	STORE0(Y6, Y7)
	STORE0(Y8, Y9)
	STORE0(Y10, Y11)
	VZEROUPPER
	RET

storeb:
	VBROADCASTSS beta+44(FP), Y13
	STOREB(Y0, Y1)
	STOREB(Y2, Y3)
	STOREB(Y4, Y5)
	STOREB(Y6, Y7)
	STOREB(Y8, Y9)
	STOREB(Y10, Y11)
	VZEROUPPER
	RET

// func packBN(kc int, src *float32, ldb int, dst *float32, w int)
TEXT ·packBN(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), DX
	MOVQ dst+24(FP), DI
	MOVQ w+32(FP), R8
	SHLQ $2, DX
	TESTQ CX, CX
	JEQ  bndone
	CMPQ R8, $32
	JEQ  bn32

bn16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    DX, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     bn16
	JMP     bndone

bn32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    DX, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     bn32

bndone:
	VZEROUPPER
	RET

// Transpose the 8×8 block whose rows are Y0..Y7: column c ends in Y(8+c).
// Y0..Y7 are clobbered.
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8;         \
	VUNPCKHPS  Y1, Y0, Y9;         \
	VUNPCKLPS  Y3, Y2, Y10;        \
	VUNPCKHPS  Y3, Y2, Y11;        \
	VUNPCKLPS  Y5, Y4, Y12;        \
	VUNPCKHPS  Y5, Y4, Y13;        \
	VUNPCKLPS  Y7, Y6, Y14;        \
	VUNPCKHPS  Y7, Y6, Y15;        \
	VSHUFPS    $0x44, Y10, Y8, Y0; \
	VSHUFPS    $0xEE, Y10, Y8, Y1; \
	VSHUFPS    $0x44, Y11, Y9, Y2; \
	VSHUFPS    $0xEE, Y11, Y9, Y3; \
	VSHUFPS    $0x44, Y14, Y12, Y4; \
	VSHUFPS    $0xEE, Y14, Y12, Y5; \
	VSHUFPS    $0x44, Y15, Y13, Y6; \
	VSHUFPS    $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8;  \
	VPERM2F128 $0x20, Y5, Y1, Y9;  \
	VPERM2F128 $0x20, Y6, Y2, Y10; \
	VPERM2F128 $0x20, Y7, Y3, Y11; \
	VPERM2F128 $0x31, Y4, Y0, Y12; \
	VPERM2F128 $0x31, Y5, Y1, Y13; \
	VPERM2F128 $0x31, Y6, Y2, Y14; \
	VPERM2F128 $0x31, Y7, Y3, Y15

// Load 8 values from each of the 8 rows at base, base+ldb, ..., base+7*ldb
// (R8 = 3*ldb in bytes, base2 = base + 4*ldb).
#define LOAD8(base, base2) \
	VMOVUPS (base), Y0;          \
	VMOVUPS (base)(DX*1), Y1;    \
	VMOVUPS (base)(DX*2), Y2;    \
	VMOVUPS (base)(R8*1), Y3;    \
	VMOVUPS (base2), Y4;         \
	VMOVUPS (base2)(DX*1), Y5;   \
	VMOVUPS (base2)(DX*2), Y6;   \
	VMOVUPS (base2)(R8*1), Y7

// func packBT(kc8 int, src *float32, ldb int, dst *float32, w int)
TEXT ·packBT(SB), NOSPLIT, $0-40
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), DX
	MOVQ dst+24(FP), DI
	MOVQ w+32(FP), BX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R8   // 3*ldb
	MOVQ BX, R12
	SHLQ $2, R12          // dst row stride in bytes
	LEAQ (R12)(R12*2), R13
	SHRQ $3, BX           // groups of 8 rows
	JEQ  btdone

btgroup:
	MOVQ kc8+0(FP), CX
	SHRQ $3, CX
	JEQ  btdone
	MOVQ SI, R10
	LEAQ (SI)(DX*4), R11
	MOVQ DI, R14

btstep:
	LOAD8(R10, R11)
	TRANSPOSE8
	LEAQ    (R14)(R12*4), R9
	VMOVUPS Y8, (R14)
	VMOVUPS Y9, (R14)(R12*1)
	VMOVUPS Y10, (R14)(R12*2)
	VMOVUPS Y11, (R14)(R13*1)
	VMOVUPS Y12, (R9)
	VMOVUPS Y13, (R9)(R12*1)
	VMOVUPS Y14, (R9)(R12*2)
	VMOVUPS Y15, (R9)(R13*1)
	LEAQ    (R9)(R12*4), R14
	ADDQ    $32, R10
	ADDQ    $32, R11
	DECQ    CX
	JNZ     btstep

	LEAQ (SI)(DX*8), SI
	ADDQ $32, DI
	DECQ BX
	JNZ  btgroup

btdone:
	VZEROUPPER
	RET

// func sdotAVX2(n int, x, y *float32) float32
TEXT ·sdotAVX2(SB), NOSPLIT, $0-28
	MOVQ   n+0(FP), CX
	MOVQ   x+8(FP), SI
	MOVQ   y+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ   CX, $32
	JLT    dot8

dot32:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         dot32

dot8:
	CMPQ        CX, $8
	JLT         dotsum
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         dot8

dotsum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X1, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	TESTQ        CX, CX
	JEQ          dotdone

dot1:
	VMOVSS      (SI), X4
	VFMADD231SS (DI), X4, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNZ         dot1

dotdone:
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func saxpyAVX2(n int, alpha float32, x, y *float32)
TEXT ·saxpyAVX2(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ         x+16(FP), SI
	MOVQ         y+24(FP), DI
	CMPQ         CX, $32
	JLT          axpy8

axpy32:
	VMOVUPS     (DI), Y4
	VMOVUPS     32(DI), Y5
	VMOVUPS     64(DI), Y6
	VMOVUPS     96(DI), Y7
	VFMADD231PS (SI), Y0, Y4
	VFMADD231PS 32(SI), Y0, Y5
	VFMADD231PS 64(SI), Y0, Y6
	VFMADD231PS 96(SI), Y0, Y7
	VMOVUPS     Y4, (DI)
	VMOVUPS     Y5, 32(DI)
	VMOVUPS     Y6, 64(DI)
	VMOVUPS     Y7, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         axpy32

axpy8:
	CMPQ        CX, $8
	JLT         axpy1s
	VMOVUPS     (DI), Y4
	VFMADD231PS (SI), Y0, Y4
	VMOVUPS     Y4, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         axpy8

axpy1s:
	TESTQ CX, CX
	JEQ   axpydone

axpy1:
	VMOVSS      (DI), X4
	VFMADD231SS (SI), X0, X4
	VMOVSS      X4, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNZ         axpy1

axpydone:
	VZEROUPPER
	RET

// func packAN6(kc8 int, src *float32, lda int, dst *float32)
TEXT ·packAN6(SB), NOSPLIT, $0-32
	MOVQ kc8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), DX
	MOVQ dst+24(FP), DI
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R8 // 3*lda
	LEAQ (SI)(DX*4), R9 // row 4
	SHRQ $3, CX
	JEQ  andone

an:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (SI)(DX*2), Y2
	VMOVUPS (SI)(R8*1), Y3
	VMOVUPS (R9), Y4
	VMOVUPS (R9)(DX*1), Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	TRANSPOSE8

	// Column p holds the 6 values of step p in its low 6 lanes. The 8-wide
	// stores overlap: each one's 2 junk lanes are overwritten by the next,
	// and the last one's by whatever is packed after this block.
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 24(DI)
	VMOVUPS Y10, 48(DI)
	VMOVUPS Y11, 72(DI)
	VMOVUPS Y12, 96(DI)
	VMOVUPS Y13, 120(DI)
	VMOVUPS Y14, 144(DI)
	VMOVUPS Y15, 168(DI)
	ADDQ    $32, SI
	ADDQ    $32, R9
	ADDQ    $192, DI
	DECQ    CX
	JNZ     an

andone:
	VZEROUPPER
	RET

// func packAT6(kc int, src *float32, lda int, dst *float32)
TEXT ·packAT6(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), DX
	MOVQ dst+24(FP), DI
	SHLQ $2, DX
	TESTQ CX, CX
	JEQ  atdone

at:
	MOVUPS (SI), X0
	MOVQ   16(SI), X1
	MOVUPS X0, (DI)
	MOVQ   X1, 16(DI)
	ADDQ   DX, SI
	ADDQ   $24, DI
	DECQ   CX
	JNZ    at

atdone:
	RET

// One step p of the 6×32 AVX-512 micro-kernel: Z12:Z13 = b[p*32 : p*32+32],
// row r of the tile (Z(2r), Z(2r+1)) += a[p*6+r] * (Z12:Z13).
#define STEP512 \
	VMOVUPS      (BX), Z12;    \
	VMOVUPS      64(BX), Z13;  \
	VBROADCASTSS (AX), Z14;    \
	VBROADCASTSS 4(AX), Z15;   \
	VFMADD231PS  Z12, Z14, Z0; \
	VFMADD231PS  Z13, Z14, Z1; \
	VFMADD231PS  Z12, Z15, Z2; \
	VFMADD231PS  Z13, Z15, Z3; \
	VBROADCASTSS 8(AX), Z14;   \
	VBROADCASTSS 12(AX), Z15;  \
	VFMADD231PS  Z12, Z14, Z4; \
	VFMADD231PS  Z13, Z14, Z5; \
	VFMADD231PS  Z12, Z15, Z6; \
	VFMADD231PS  Z13, Z15, Z7; \
	VBROADCASTSS 16(AX), Z14;  \
	VBROADCASTSS 20(AX), Z15;  \
	VFMADD231PS  Z12, Z14, Z8; \
	VFMADD231PS  Z13, Z14, Z9; \
	VFMADD231PS  Z12, Z15, Z10; \
	VFMADD231PS  Z13, Z15, Z11; \
	ADDQ         $24, AX;      \
	ADDQ         R9, BX

#define STORE0_512(lo, hi) \
	VMULPS  Z12, lo, lo; \
	VMULPS  Z12, hi, hi; \
	VMOVUPS lo, (DI);    \
	VMOVUPS hi, 64(DI);  \
	ADDQ    DX, DI

#define STOREB_512(lo, hi) \
	VMULPS      (DI), Z13, Z14;   \
	VMULPS      64(DI), Z13, Z15; \
	VFMADD231PS Z12, lo, Z14;     \
	VFMADD231PS Z12, hi, Z15;     \
	VMOVUPS     Z14, (DI);        \
	VMOVUPS     Z15, 64(DI);      \
	ADDQ        DX, DI

#define PREFETCHROW \
	PREFETCHT0 (SI);    \
	PREFETCHT0 64(SI);  \
	PREFETCHT0 127(SI); \
	ADDQ       DX, SI

// func kern6x32(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)
TEXT ·kern6x32(SB), NOSPLIT, $0-56
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ ldb+24(FP), R9
	SHLQ $2, R9
	MOVQ c+32(FP), DI
	MOVQ ldc+40(FP), DX
	SHLQ $2, DX

	MOVQ DI, SI
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11

	CMPQ CX, $4
	JLT  tail512

loop512:
	PREFETCHT0 384(AX)
	STEP512
	STEP512
	STEP512
	STEP512
	SUBQ $4, CX
	CMPQ CX, $4
	JGE  loop512

tail512:
	TESTQ CX, CX
	JEQ   store512

tail512one:
	STEP512
	DECQ CX
	JNZ  tail512one

store512:
	VBROADCASTSS alpha+48(FP), Z12
	MOVL         beta+52(FP), R8
	ANDL         $0x7fffffff, R8 // beta == ±0
	JNZ          storeb512
	STORE0_512(Z0, Z1)
	STORE0_512(Z2, Z3)
	STORE0_512(Z4, Z5)
	STORE0_512(Z6, Z7)
	STORE0_512(Z8, Z9)
	STORE0_512(Z10, Z11)
	VZEROUPPER
	RET

storeb512:
	VBROADCASTSS beta+52(FP), Z13
	STOREB_512(Z0, Z1)
	STOREB_512(Z2, Z3)
	STOREB_512(Z4, Z5)
	STOREB_512(Z6, Z7)
	STOREB_512(Z8, Z9)
	STOREB_512(Z10, Z11)
	VZEROUPPER
	RET

// func sparseRow64(n int, idx *int32, val *float32, b *float32, ldb int, acc *float32)
// acc[0:64] = the sum over t < n of val[t] * b[idx[t]*ldb : idx[t]*ldb+64],
// fused multiply-adds in order of t from +0 (the micro-kernels' arithmetic).
TEXT ·sparseRow64(SB), NOSPLIT, $0-48
	MOVQ   n+0(FP), CX
	MOVQ   idx+8(FP), SI
	MOVQ   val+16(FP), R10
	MOVQ   b+24(FP), BX
	MOVQ   ldb+32(FP), DX
	SHLQ   $2, DX
	MOVQ   acc+40(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ  CX, CX
	JEQ    sr64store

sr64loop:
	MOVLQSX      (SI), AX
	IMULQ        DX, AX
	ADDQ         BX, AX
	VBROADCASTSS (R10), Y8
	VFMADD231PS  (AX), Y8, Y0
	VFMADD231PS  32(AX), Y8, Y1
	VFMADD231PS  64(AX), Y8, Y2
	VFMADD231PS  96(AX), Y8, Y3
	VFMADD231PS  128(AX), Y8, Y4
	VFMADD231PS  160(AX), Y8, Y5
	VFMADD231PS  192(AX), Y8, Y6
	VFMADD231PS  224(AX), Y8, Y7
	ADDQ         $4, SI
	ADDQ         $4, R10
	DECQ         CX
	JNZ          sr64loop

sr64store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func sscalToAVX2(n int, alpha float32, x, y *float32)
// y[i] = alpha * x[i] (x and y may be the same).
TEXT ·sscalToAVX2(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ         x+16(FP), SI
	MOVQ         y+24(FP), DI

scal32:
	CMPQ    CX, $32
	JLT     scal8
	VMULPS  (SI), Y0, Y4
	VMULPS  32(SI), Y0, Y5
	VMULPS  64(SI), Y0, Y6
	VMULPS  96(SI), Y0, Y7
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     scal32

scal8:
	CMPQ    CX, $8
	JLT     scal1s
	VMULPS  (SI), Y0, Y4
	VMOVUPS Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     scal8

scal1s:
	TESTQ CX, CX
	JEQ   scaldone

scal1:
	VMULSS (SI), X0, X4
	VMOVSS X4, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DI
	DECQ   CX
	JNZ    scal1

scaldone:
	VZEROUPPER
	RET

#define NZGROUP(off, sh) \
	VPCMPEQD  off(SI), Y0, Y1; \
	VMOVMSKPS Y1, AX;          \
	SHLQ      $sh, AX;         \
	ORQ       AX, R8

// func nonzeroMask(nw int, x *float32, mask *uint64)
// Bit q of mask[w] is set iff the bits of x[64w+q] are not all zero, for
// w < nw.
TEXT ·nonzeroMask(SB), NOSPLIT, $0-24
	MOVQ  nw+0(FP), CX
	MOVQ  x+8(FP), SI
	MOVQ  mask+16(FP), DI
	VPXOR Y0, Y0, Y0

nzloop:
	TESTQ CX, CX
	JEQ   nzdone
	XORQ  R8, R8
	NZGROUP(0, 0)
	NZGROUP(32, 8)
	NZGROUP(64, 16)
	NZGROUP(96, 24)
	NZGROUP(128, 32)
	NZGROUP(160, 40)
	NZGROUP(192, 48)
	NZGROUP(224, 56)
	NOTQ  R8
	MOVQ  R8, (DI)
	ADDQ  $256, SI
	ADDQ  $8, DI
	DECQ  CX
	JMP   nzloop

nzdone:
	VZEROUPPER
	RET
