/* Two __init functions share the module's .init.text (the section
 * attribute wins over -ffunction-sections): neither can be replaced alone. */
extern int source(void);
extern int (*hook)(int);
#define __init __attribute__((section(".init.text"), cold, no_instrument_function))
#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
static int __init helper(int x) { return source() + x; }
static int __init mod_init(void) { hook = helper; return source() + 1; }
module_init(mod_init);
int foo(int x) { return x + source(); }
