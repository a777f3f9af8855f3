/* An .altinstructions entry and its .altinstr_replacement bytes travel
 * with the changed function only. */
#define ALT_NOP_OR_LFENCE()						\
	asm volatile("661: .byte 0x0f,0x1f,0x00\n"			\
		     "662:\n"						\
		     ".pushsection .altinstructions,\"a\"\n"		\
		     " .long 661b - .\n"				\
		     " .long 663f - .\n"				\
		     " .word 3*32+18\n"					\
		     " .byte 662b-661b\n"				\
		     " .byte 664f-663f\n"				\
		     ".popsection\n"					\
		     ".pushsection .altinstr_replacement, \"ax\"\n"	\
		     "663: lfence\n"					\
		     "664:\n"						\
		     ".popsection" ::: "memory")
int fenced_a(int x) { ALT_NOP_OR_LFENCE(); return x + 1; }
int fenced_b(int x) { ALT_NOP_OR_LFENCE(); return x + 2; }
