/* Two __init functions share .init.text and mod_init calls and takes the
 * address of the others: the assembler resolves both within the section,
 * without a relocation (split_section.h makes them relocations again). */
extern int source(void);
extern int (*hook)(int);
#define __init __attribute__((section(".init.text"), cold, no_instrument_function))
#define noinline __attribute__((noinline))
#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
static noinline int __init helper(int x) { return source() + x; }
static noinline int __init table_of(int x) { return source() * x; }
static int __init mod_init(void)
{
	int (*volatile f)(int) = table_of;
	return helper(source()) + f(3);
}
module_init(mod_init);
int foo(int x) { return x + source(); }
