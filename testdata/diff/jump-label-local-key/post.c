/* static_branch_unlikely() on a static key of this file: kept in the patch
 * as a load-time (livepatch) relocation to the running kernel's key, which
 * the module loader can find only in vmlinux. */
struct static_key { int enabled; };
static struct static_key local_key;
struct static_key *local_key_ptr(void) { return &local_key; }
extern int source(void);
static inline __attribute__((always_inline)) int branch_unlikely(void)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n"
		 ".pushsection __jump_table, \"aw\"\n"
		 ".balign 8\n"
		 ".long 1b - ., %l[l_yes] - .\n"
		 ".quad %c0 + 1 - .\n"
		 ".popsection\n"
		 : : "i" (&local_key) : : l_yes);
	return 0;
l_yes:
	return 1;
}
int foo(int x) { if (branch_unlikely()) return source(); return x + 2; }
