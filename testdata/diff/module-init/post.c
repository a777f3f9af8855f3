/* A module's __init code, as <linux/init.h> and <linux/module.h> make it
 * with MODULE: it runs at each load, from the module's init area, which
 * the module loader frees once the module is live. */
extern int source(void);
#define __init __attribute__((section(".init.text"), cold, no_instrument_function))
#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
static int __init mod_init(void) { return source() + 2; }
module_init(mod_init);
int foo(int x) { return x + source(); }
