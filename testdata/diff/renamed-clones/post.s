# GCC clones (.isra/.constprop/.part) and a .cold part, renumbered
# between pre and post; written in assembly to control numbering.
	.file "renamed-clones.c"
	.section .text.helper.isra.3,"ax",@progbits
	.p2align 4
	.type helper.isra.3, @function
helper.isra.3:
.Lf_helper_isra_3:
	call __fentry__
	leal 1(%rdi), %eax
	jmp __x86_return_thunk
	.size helper.isra.3, .-helper.isra.3
	.section __mcount_loc,"a",@progbits
	.quad .Lf_helper_isra_3
	.section .text.calc.constprop.1,"ax",@progbits
	.p2align 4
	.type calc.constprop.1, @function
calc.constprop.1:
.Lf_calc_constprop_1:
	call __fentry__
	imull $5, %edi, %eax
	jmp __x86_return_thunk
	.size calc.constprop.1, .-calc.constprop.1
	.section __mcount_loc,"a",@progbits
	.quad .Lf_calc_constprop_1
	.section .text.work.part.4,"ax",@progbits
	.p2align 4
	.type work.part.4, @function
work.part.4:
.Lf_work_part_4:
	call __fentry__
	movl %edi, %eax
	addl %esi, %eax
	jmp __x86_return_thunk
	.size work.part.4, .-work.part.4
	.section __mcount_loc,"a",@progbits
	.quad .Lf_work_part_4
	.section .text.entry,"ax",@progbits
	.p2align 4
	.globl entry
	.type entry, @function
entry:
.Lf_entry:
	call __fentry__
	testl %edi, %edi
	js .Lcold
	movl %edi, %eax
	jmp __x86_return_thunk
	.size entry, .-entry
	.section __mcount_loc,"a",@progbits
	.quad .Lf_entry
	.section .text.unlikely.entry,"ax",@progbits
	.type entry.cold, @function
entry.cold:
.Lcold:
	movl $12, %eax
	jmp __x86_return_thunk
	.size entry.cold, .-entry.cold
	.section .text.caller,"ax",@progbits
	.p2align 4
	.globl caller
	.type caller, @function
caller:
.Lf_caller:
	call __fentry__
	pushq %rbx
	call helper.isra.3
	movl %eax, %ebx
	call calc.constprop.1
	addl %ebx, %eax
	movl %eax, %edi
	call work.part.4
	popq %rbx
	jmp __x86_return_thunk
	.size caller, .-caller
	.section __mcount_loc,"a",@progbits
	.quad .Lf_caller
	.section .note.GNU-stack,"",@progbits
