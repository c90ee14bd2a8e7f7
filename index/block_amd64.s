//go:build amd64 && !purego

#include "textflag.h"

DATA one<>+0(SB)/4, $0x3f800000
GLOBL one<>(SB), RODATA|NOPTR, $4

// func scoreBlocksAVX512(rows *float32, nblocks, dim int, q *float32, zero bool, thr float32, scores *float32, masks *uint16)
TEXT ·scoreBlocksAVX512(SB), NOSPLIT, $0-56
	MOVQ         rows+0(FP), SI
	MOVQ         nblocks+8(FP), CX
	MOVQ         dim+16(FP), DX
	MOVQ         q+24(FP), BX
	MOVBLZX      zero+32(FP), R8
	VBROADCASTSS thr+36(FP), Z30
	MOVQ         scores+40(FP), DI
	MOVQ         masks+48(FP), R9
	VBROADCASTSS one<>(SB), Z31
	VXORPS       Z0, Z0, Z0

block:
	// Z2 = q[0]*x[0] (or 0 + that), then Z2 += q[d]*x[d] for d = 1..dim-1.
	MOVQ         BX, R10
	MOVQ         DX, R11
	VBROADCASTSS (R10), Z1
	VMULPS       (SI), Z1, Z2
	TESTQ        R8, R8
	JZ           first
	VADDPS       Z2, Z0, Z2

first:
	ADDQ $4, R10
	ADDQ $64, SI
	DECQ R11
	JZ   sum

dims:
	VBROADCASTSS (R10), Z1
	VMULPS       (SI), Z1, Z3
	VADDPS       Z3, Z2, Z2
	ADDQ         $4, R10
	ADDQ         $64, SI
	DECQ         R11
	JNZ          dims

sum:
	// Clamp as min(s, 1) does (a NaN stays NaN), store, mark s >= thr.
	VMINPS  Z2, Z31, Z2
	VMOVUPS Z2, (DI)
	VCMPPS  $0x1d, Z30, Z2, K1
	KMOVW   K1, AX
	MOVW    AX, (R9)
	ADDQ    $64, DI
	ADDQ    $2, R9
	DECQ    CX
	JNZ     block

	VZEROUPPER
	RET
