/* Exception table entries follow their functions: only the changed
 * function's entry goes into the patch. */
#define LOAD_WITH_FIXUP(ptr, val)				\
	asm volatile("1: movl (%1), %0\n"			\
		     "2:\n"						\
		     ".pushsection __ex_table,\"a\"\n"		\
		     ".balign 4\n"					\
		     ".long 1b - .\n"				\
		     ".long 2b - .\n"				\
		     ".long 0\n"					\
		     ".popsection"					\
		     : "=r" (val) : "r" (ptr))
int read_one(int *p) { int v = 0; LOAD_WITH_FIXUP(p, v); return v + 1; }
int read_two(int *p) { int v = 0; LOAD_WITH_FIXUP(p, v); return v + 2; }
