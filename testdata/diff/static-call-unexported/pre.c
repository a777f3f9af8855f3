/* static_call(tp_func_x)() on a static call the kernel does not export
 * (a tracepoint's): the module loader retargets the call when the module
 * loads, so both the key and the call's own target are load-time
 * relocations, never a late relocation (whose canary it would overwrite). */
extern int source(void);
static inline __attribute__((always_inline)) void call_x(void)
{
	asm volatile("1: call __SCT__tp_func_x\n"
		     ".pushsection .static_call_sites, \"a\"\n"
		     ".long 1b - .\n"
		     ".long __SCK__tp_func_x - .\n"
		     ".popsection\n" ::: "memory");
}
int foo(int x) { call_x(); return x + 1; }
