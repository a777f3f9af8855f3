# A reference to a string through its label, with an addend past the
# string's end (GCC's `cmp $.LC1+10,%rax` in lib/vsprintf.o's
# resource_string): the assembler keeps the label (a merge section), and
# the linker adds the addend to where it put the label's string, so the
# target is " pref" whatever follows it in the section.  POST changes the
# string that follows (read by `second`): `first` is unchanged.
	.file "string-label-addend.c"
	.section .rodata.str1.1,"aMS",@progbits,1
.LC0:
	.string "abc"
.LC1:
	.string " pref"
.LC2:
	.string "downward"
	.section .text.first,"ax",@progbits
	.p2align 4
	.globl first
	.type first, @function
first:
.Lf_first:
	call __fentry__
	cmpq $.LC1+10, %rdi
	sete %al
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
	movq $.LC2, %rax
	jmp __x86_return_thunk
	.size second, .-second
	.section __mcount_loc,"a",@progbits
	.quad .Lf_second
	.section .note.GNU-stack,"",@progbits
