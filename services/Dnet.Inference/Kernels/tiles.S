# AMX-BF16 tile products for Dnet's bf16 projections. services/Dnet.Inference/Kernels/TileCode.cs holds these
# instructions as bytes (.NET has no AMX intrinsics); TileCodeTests checks the bytes against this file when `as` exists.
#
# System V x86-64, one argument: rdi -> TileArgs
#   [rdi+0]  tile configuration (64 bytes): palette 1, every tile 16 rows x 64 bytes
#   [rdi+8]  w: weights packed by TiledWeight, 16-row tiles one after the other, each [k step][16 rows][32 bf16]
#   [rdi+16] x: activations packed by TileProjection, [group][k step][16 pairs of k][16 rows][2 bf16]
#   [rdi+24] out: float32 tiles [block][group][tile][16 weight rows][16 activation rows]
#   [rdi+32] k steps = K / 32 (a weight tile is k steps KB)
#   [rdi+40] blocks: of four weight tiles (block64) or of one (block16)
#   [rdi+48] groups: of 16 activation rows
# out[n][m] = sum of w[n][k] * x[m][k] with k taken 32 at a time in order by tdpbf16ps, so an output element never
# depends on the other rows of its tiles, on how many groups or blocks a call carries, or on the thread.
# Prefetching: a tile load waits for each of its sixteen lines in turn, so each weight stream asks for the k step
# eight ahead of the one it loads (and for its first eight on entry).
.intel_syntax noprefix
.text

.globl dnet_tiles_block64
dnet_tiles_block64:
    push rbx
    push r12
    push r13
    push r14
    mov rax, [rdi]
    ldtilecfg [rax]
    mov r14, [rdi + 32]
    shl r14, 10                 # r14: bytes of one weight tile
    mov rax, [rdi + 8]          # rax: the block's first tile
    mov r10, rax
    lea r9, [rax + r14 * 2]
    mov rdx, 128                # the first 8 KB of each of the four tiles
.Lwarm64:
    prefetcht0 [r10]
    prefetcht0 [r10 + r14]
    prefetcht0 [r9]
    prefetcht0 [r9 + r14]
    add r10, 64
    add r9, 64
    dec rdx
    jnz .Lwarm64
    mov r8, [rdi + 24]
    mov r9, [rdi + 40]
    mov r11, 64
.Lblock64:
    mov rcx, [rdi + 16]
    mov rdx, [rdi + 48]
.Lgroup64:
    tilezero tmm0
    tilezero tmm1
    tilezero tmm2
    tilezero tmm3
    mov rsi, rax
    lea rbx, [rax + r14]
    lea r12, [rbx + r14]
    lea r13, [r12 + r14]
    mov r10, [rdi + 32]
.Lk64:
    .set line, 0
    .rept 16
    prefetcht0 [rsi + 8192 + line]
    prefetcht0 [rbx + 8192 + line]
    prefetcht0 [r12 + 8192 + line]
    prefetcht0 [r13 + 8192 + line]
    .set line, line + 64
    .endr
    tileloadd tmm4, [rcx + r11 * 1]
    tileloadd tmm5, [rsi + r11 * 1]
    tdpbf16ps tmm0, tmm5, tmm4
    tileloadd tmm6, [rbx + r11 * 1]
    tdpbf16ps tmm1, tmm6, tmm4
    tileloadd tmm7, [r12 + r11 * 1]
    tdpbf16ps tmm2, tmm7, tmm4
    tileloadd tmm5, [r13 + r11 * 1]
    tdpbf16ps tmm3, tmm5, tmm4
    add rcx, 1024
    add rsi, 1024
    add rbx, 1024
    add r12, 1024
    add r13, 1024
    dec r10
    jnz .Lk64
    tilestored [r8 + r11 * 1], tmm0
    tilestored [r8 + r11 * 1 + 1024], tmm1
    tilestored [r8 + r11 * 1 + 2048], tmm2
    tilestored [r8 + r11 * 1 + 3072], tmm3
    add r8, 4096
    dec rdx
    jnz .Lgroup64
    mov rax, r13                # the next block starts after the fourth tile
    dec r9
    jnz .Lblock64
    tilerelease
    pop r14
    pop r13
    pop r12
    pop rbx
    ret

.globl dnet_tiles_block16
dnet_tiles_block16:
    mov rax, [rdi]
    ldtilecfg [rax]
    mov rax, [rdi + 8]
    mov r10, rax
    mov rdx, 128                # the first 8 KB
.Lwarm16:
    prefetcht0 [r10]
    add r10, 64
    dec rdx
    jnz .Lwarm16
    mov r8, [rdi + 24]
    mov r9, [rdi + 40]
    mov r11, 64
.Lblock16:
    mov rcx, [rdi + 16]
    mov rdx, [rdi + 48]
.Lgroup16:
    tilezero tmm0
    mov rsi, rax
    mov r10, [rdi + 32]
.Lk16:
    .set line, 0
    .rept 16
    prefetcht0 [rsi + 8192 + line]
    .set line, line + 64
    .endr
    tileloadd tmm4, [rcx + r11 * 1]
    tileloadd tmm5, [rsi + r11 * 1]
    tdpbf16ps tmm0, tmm5, tmm4
    add rcx, 1024
    add rsi, 1024
    dec r10
    jnz .Lk16
    tilestored [r8 + r11 * 1], tmm0
    add r8, 1024
    dec rdx
    jnz .Lgroup16
    mov rax, rsi
    dec r9
    jnz .Lblock16
    tilerelease
    ret
