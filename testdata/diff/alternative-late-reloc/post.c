/* An alternative whose replacement calls an unexported function: the
 * module loader applies alternatives at load, before the core could write
 * a late relocation, so the call is a load-time (livepatch) relocation.
 * fenced_b's replacement is not kept (fenced_b does not change), so its
 * call does not matter. */
#define ALT_CALL(fn)							\
	asm volatile("661: .byte 0x0f,0x1f,0x44,0x00,0x00\n"		\
		     "662:\n"						\
		     ".pushsection .altinstructions,\"a\"\n"		\
		     " .long 661b - .\n"				\
		     " .long 663f - .\n"				\
		     " .word 3*32+18\n"					\
		     " .byte 662b-661b\n"				\
		     " .byte 664f-663f\n"				\
		     ".popsection\n"					\
		     ".pushsection .altinstr_replacement, \"ax\"\n"	\
		     "663: call " #fn "\n"				\
		     "664:\n"						\
		     ".popsection" ::: "memory")
int fenced_a(int x) { ALT_CALL(hidden_a); return x + 11; }
int fenced_b(int x) { ALT_CALL(hidden_b); return x + 2; }
