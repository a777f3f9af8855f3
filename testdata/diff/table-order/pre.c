/* Table sections appear in a file in order of first use.  A new function
 * at the top of POST uses __jump_table first, which reorders __bug_table
 * and __jump_table: unchanged functions using both must stay unchanged. */
struct static_key { int enabled; };
extern struct static_key some_key;
#define BUG_SITE() asm volatile("1: ud2\n"				\
	".pushsection __bug_table,\"aw\"\n"				\
	"2: .long 1b - .\n .long 0\n .word 0\n .word 0\n"		\
	".popsection")
static inline __attribute__((always_inline)) int key_on(void)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n"
		 ".pushsection __jump_table, \"aw\"\n"
		 ".balign 8\n"
		 ".long 1b - ., %l[yes] - .\n"
		 ".quad %c0 - .\n"
		 ".popsection\n" : : "i" (&some_key) : : yes);
	return 0;
yes:
	return 1;
}

int both(int x)
{
	if (x > 5)
		BUG_SITE();
	if (key_on())
		return x * 3;
	return x;
}
