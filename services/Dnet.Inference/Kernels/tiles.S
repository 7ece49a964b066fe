# AMX-BF16 tile products for Dnet's bf16 projections. services/Dnet.Inference/Kernels/TileCode.cs holds these
# instructions as bytes (.NET has no AMX intrinsics); TileCodeTests checks the bytes against this file when `as` exists.
#
# System V x86-64, one argument: rdi -> TileArgs
#   [rdi+0]  tile configuration (64 bytes): palette 1, every tile 64 bytes wide; for block64 and block16 the products
#            (tmm0-3) and the activations (tmm4) hold the call's rows of each group (16, or fewer for the last group of
#            a batch) and the weights (tmm5-7) 16; for pair32 see there
#   [rdi+8]  w: weights packed by TiledWeight, 16-column tiles one after the other, each [k step][16 pairs of k][16 columns][2 bf16]
#   [rdi+16] x: activations packed by TileProjection, [group][k step][16 rows][32 bf16], at the first group
#   [rdi+24] y: float32 output, [row][ldy], at the first row and the column of the first weight tile
#   [rdi+32] k steps = K / 32
#   [rdi+40] blocks: of four weight tiles (block64), of one (block16) or of two (pair32)
#   [rdi+48] groups: of 16 activation rows (or one group of the configured rows); pairs of groups for pair32
#   [rdi+56] bytes per output row (ldy * 4)
#   [rdi+64] bytes of one weight tile or activation group (k steps * 1024)
# y[m][n] = sum of x[m][k] * w[n][k] with k taken 32 at a time in order by tdpbf16ps, stored straight into y's rows
# (no rows past the configured ones), so an output element never depends on the other rows of its tiles, on how many
# groups or blocks a call carries, or on the thread.
# Prefetching: a tile load waits for each of its sixteen lines in turn, even from L2, so every stream (the four weight
# tiles and the activations) asks for the k step four ahead of the one it loads, and each group starts by asking for
# its first four (the block's weights come back from L2 for every group after the first). Four ahead measured faster
# than eight and sixteen with weights streaming from memory and with weights in L2.
.intel_syntax noprefix
.text

.globl dnet_tiles_block64
dnet_tiles_block64:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov rax, [rdi]
    ldtilecfg [rax]
    mov rax, [rdi + 8]          # rax: the block's first tile
    mov r8, [rdi + 24]          # r8: y at the block's first column
    mov r9, [rdi + 40]          # r9: blocks left
    mov r11, 64                 # bytes per row of a tile
    mov r15, [rdi + 64]         # r15: bytes of one weight tile
.Lblock64:
    mov r14, [rdi + 16]         # r14: the group's activations
    mov rbp, r8                 # rbp: the group's first output row
    mov rdx, [rdi + 48]
.Lgroup64:
    mov rsi, rax
    lea r12, [rax + r15 * 2]
    mov rcx, r14
    mov r10, 64                 # the first 4 KB of the four tiles and of the activations
.Lwarm64:
    prefetcht0 [rsi]
    prefetcht0 [rsi + r15]
    prefetcht0 [r12]
    prefetcht0 [r12 + r15]
    prefetcht0 [rcx]
    add rsi, 64
    add r12, 64
    add rcx, 64
    dec r10
    jnz .Lwarm64
    tilezero tmm0
    tilezero tmm1
    tilezero tmm2
    tilezero tmm3
    mov rsi, rax
    lea rbx, [rax + r15]
    lea r12, [rax + r15 * 2]
    lea r13, [rbx + r15 * 2]
    mov rcx, r14
    mov r10, [rdi + 32]
.Lk64:
    .set line, 0
    .rept 16
    prefetcht0 [rsi + 4096 + line]
    prefetcht0 [rbx + 4096 + line]
    prefetcht0 [r12 + 4096 + line]
    prefetcht0 [r13 + 4096 + line]
    prefetcht0 [rcx + 4096 + line]
    .set line, line + 64
    .endr
    tileloadd tmm4, [rcx + r11 * 1]
    tileloadd tmm5, [rsi + r11 * 1]
    tdpbf16ps tmm0, tmm4, tmm5
    tileloadd tmm6, [rbx + r11 * 1]
    tdpbf16ps tmm1, tmm4, tmm6
    tileloadd tmm7, [r12 + r11 * 1]
    tdpbf16ps tmm2, tmm4, tmm7
    tileloadd tmm5, [r13 + r11 * 1]
    tdpbf16ps tmm3, tmm4, tmm5
    add rcx, 1024
    add rsi, 1024
    add rbx, 1024
    add r12, 1024
    add r13, 1024
    dec r10
    jnz .Lk64
    mov r10, [rdi + 56]
    tilestored [rbp + r10 * 1], tmm0
    tilestored [rbp + r10 * 1 + 64], tmm1
    tilestored [rbp + r10 * 1 + 128], tmm2
    tilestored [rbp + r10 * 1 + 192], tmm3
    shl r10, 4
    add rbp, r10                # sixteen output rows on
    mov r14, rcx                # the next group's activations follow this one's
    dec rdx
    jnz .Lgroup64
    mov rax, r13                # the next block starts after the fourth tile
    add r8, 256                 # and writes the next 64 columns
    dec r9
    jnz .Lblock64
    tilerelease
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

.globl dnet_tiles_block16
dnet_tiles_block16:
    push rbp
    push r14
    mov rax, [rdi]
    ldtilecfg [rax]
    mov rax, [rdi + 8]
    mov r8, [rdi + 24]
    mov r9, [rdi + 40]
    mov r11, 64
.Lblock16:
    mov r14, [rdi + 16]
    mov rbp, r8
    mov rdx, [rdi + 48]
.Lgroup16:
    mov rsi, rax
    mov rcx, r14
    mov r10, 64                 # the first 4 KB of the tile and of the activations
.Lwarm16:
    prefetcht0 [rsi]
    prefetcht0 [rcx]
    add rsi, 64
    add rcx, 64
    dec r10
    jnz .Lwarm16
    tilezero tmm0
    mov rsi, rax
    mov rcx, r14
    mov r10, [rdi + 32]
.Lk16:
    .set line, 0
    .rept 16
    prefetcht0 [rsi + 4096 + line]
    prefetcht0 [rcx + 4096 + line]
    .set line, line + 64
    .endr
    tileloadd tmm4, [rcx + r11 * 1]
    tileloadd tmm5, [rsi + r11 * 1]
    tdpbf16ps tmm0, tmm4, tmm5
    add rcx, 1024
    add rsi, 1024
    dec r10
    jnz .Lk16
    mov r10, [rdi + 56]
    tilestored [rbp + r10 * 1], tmm0
    shl r10, 4
    add rbp, r10
    mov r14, rcx
    dec rdx
    jnz .Lgroup16
    mov rax, rsi
    add r8, 64
    dec r9
    jnz .Lblock16
    tilerelease
    pop r14
    pop rbp
    ret

# Two groups by two weight tiles: four products per k step from four tile loads (block64 needs five for four), and
# the weights come back once per pair of groups instead of once per group. Groups counts pairs; the configuration
# may give the second group of each pair (tmm2, tmm3, tmm5) fewer rows.
.globl dnet_tiles_pair32
dnet_tiles_pair32:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov rax, [rdi]
    ldtilecfg [rax]
    mov rax, [rdi + 8]          # rax: the block's first tile
    mov r8, [rdi + 24]          # r8: y at the block's first column
    mov r9, [rdi + 40]          # r9: blocks left (of two tiles)
    mov r11, 64
    mov r15, [rdi + 64]         # r15: bytes of one tile, and of one group
.Lpblock:
    mov r14, [rdi + 16]         # r14: the pair's first group of activations
    mov rbp, r8
    mov rdx, [rdi + 48]         # pairs of groups left
.Lppair:
    mov rsi, rax
    mov rcx, r14
    mov r10, 64                 # the first 4 KB of the two tiles and of the two groups
.Lpwarm:
    prefetcht0 [rsi]
    prefetcht0 [rsi + r15]
    prefetcht0 [rcx]
    prefetcht0 [rcx + r15]
    add rsi, 64
    add rcx, 64
    dec r10
    jnz .Lpwarm
    tilezero tmm0
    tilezero tmm1
    tilezero tmm2
    tilezero tmm3
    mov rsi, rax
    lea rbx, [rax + r15]
    mov rcx, r14
    lea r12, [r14 + r15]
    mov r10, [rdi + 32]
.Lpk:
    .set line, 0
    .rept 16
    prefetcht0 [rsi + 4096 + line]
    prefetcht0 [rbx + 4096 + line]
    prefetcht0 [rcx + 4096 + line]
    prefetcht0 [r12 + 4096 + line]
    .set line, line + 64
    .endr
    tileloadd tmm4, [rcx + r11 * 1]
    tileloadd tmm6, [rsi + r11 * 1]
    tdpbf16ps tmm0, tmm4, tmm6
    tileloadd tmm7, [rbx + r11 * 1]
    tdpbf16ps tmm1, tmm4, tmm7
    tileloadd tmm5, [r12 + r11 * 1]
    tdpbf16ps tmm2, tmm5, tmm6
    tdpbf16ps tmm3, tmm5, tmm7
    add rcx, 1024
    add r12, 1024
    add rsi, 1024
    add rbx, 1024
    dec r10
    jnz .Lpk
    mov r10, [rdi + 56]
    tilestored [rbp + r10 * 1], tmm0
    tilestored [rbp + r10 * 1 + 64], tmm1
    mov r13, r10
    shl r13, 4
    add rbp, r13
    tilestored [rbp + r10 * 1], tmm2
    tilestored [rbp + r10 * 1 + 64], tmm3
    add rbp, r13
    mov r14, r12                # the next pair follows
    dec rdx
    jnz .Lppair
    mov rax, rbx                # the next block starts after the second tile
    add r8, 128
    dec r9
    jnz .Lpblock
    tilerelease
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
