/* A module's __exit code, as <linux/init.h> and <linux/module.h> make it
 * with MODULE: it runs at rmmod, from the module's core. */
extern int source(void);
extern void sink(int);
#define __exit __attribute__((section(".exit.text"), used, cold, no_instrument_function))
#define module_exit(fn) void cleanup_module(void) __attribute__((alias(#fn)))
int foo(int x) { return x + source(); }
