/* module-init with its __init code kept and foo changed: the init text,
 * gone once the module is live, must not be matched. */
extern int source(void);
#define __init __attribute__((section(".init.text"), cold, no_instrument_function))
#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
static int __init mod_init(void) { return source() + 1; }
module_init(mod_init);
int foo(int x) { return x + source() + 1; }
