/* static_branch_unlikely() on a key the kernel does not export: the module
 * loader registers the __jump_table entry at load, so the key is a
 * load-time (livepatch) relocation. */
struct static_key { int enabled; };
extern struct static_key private_key;
extern int source(void);
static inline __attribute__((always_inline)) int branch_unlikely(void)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n"
		 ".pushsection __jump_table, \"aw\"\n"
		 ".balign 8\n"
		 ".long 1b - ., %l[l_yes] - .\n"
		 ".quad %c0 + 1 - .\n"
		 ".popsection\n"
		 : : "i" (&private_key) : : l_yes);
	return 0;
l_yes:
	return 1;
}
int foo(int x) { if (branch_unlikely()) return source(); return x + 2; }
