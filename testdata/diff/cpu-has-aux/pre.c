/* static_cpu_has(): the site jumps to a slow path in .altinstr_aux, which
 * tests the CPU's capability bits and jumps back into the function.  The
 * aux section holds the slow paths of every function of the file, so the
 * carried copy refers back into functions the patch does not replace:
 * code that runs (never), not a table the module loader reads, so those
 * references are late ones, resolved by the core like any other. */
extern unsigned char caps[8];
extern int slow(int);
static __attribute__((always_inline)) inline int has_cap(void)
{
	asm goto("1: jmp 6f\n"
		 ".pushsection .altinstructions,\"a\"\n"
		 " .long 1b - .\n"
		 " .long 4f - .\n"
		 " .word 3*32+18\n"
		 " .byte 2\n"
		 " .byte 0\n"
		 ".popsection\n"
		 ".pushsection .altinstr_replacement,\"ax\"\n"
		 "4:\n"
		 ".popsection\n"
		 ".pushsection .altinstr_aux,\"ax\"\n"
		 "6:\n"
		 " testb $4, caps+3(%%rip)\n"
		 " jnz %l[t_yes]\n"
		 " jmp %l[t_no]\n"
		 ".popsection\n" : : : : t_yes, t_no);
t_yes:
	return 1;
t_no:
	return 0;
}
static __attribute__((noinline)) int other(int x)
{
	return has_cap() ? slow(x) : x + 3;
}
int changed(int x) { return has_cap() ? other(x) : x + 1; }
