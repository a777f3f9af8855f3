/* module_init() names another __init function of the same .init.text:
 * neither function's bytes changed, only what init_module names. */
extern int source(void);
#define __init __attribute__((section(".init.text"), cold, no_instrument_function))
#define module_init(fn) int init_module(void) __attribute__((alias(#fn)))
static int __init old_init(void) { return source() + 1; }
static int __init new_init(void) { return source() + 2; }
int (*keep)(void) = new_init;
int (*keep_old)(void) = old_init;
module_init(old_init);
