# Mergeable constants (.rodata.cst8) compare by the referenced entry:
# POST adds a constant in front (shifting offsets) and changes the one
# that `second` reads; `first` reads an unchanged one.
	.file "merged-constants.c"
	.section .rodata.cst8,"aM",@progbits,8
	.p2align 3
.Lone:
	.quad 0x2222
.Ltwo:
	.quad 0x3333
	.section .text.first,"ax",@progbits
	.p2align 4
	.globl first
	.type first, @function
first:
.Lf_first:
	call __fentry__
	movq .Lone(%rip), %rax
	jmp __x86_return_thunk
	.size first, .-first
	.section __mcount_loc,"a",@progbits
	.quad .Lf_first
	.section .text.second,"ax",@progbits
	.p2align 4
	.globl second
	.type second, @function
second:
.Lf_second:
	call __fentry__
	movq .Ltwo(%rip), %rax
	jmp __x86_return_thunk
	.size second, .-second
	.section __mcount_loc,"a",@progbits
	.quad .Lf_second
	.section .note.GNU-stack,"",@progbits
