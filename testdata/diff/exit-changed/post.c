/* Built-in __exit code, as <linux/init.h> and <linux/module.h> make it
 * without MODULE: vmlinux never runs it. */
extern int source(void);
extern void sink(int);
#define __exit __attribute__((section(".exit.text"), used, cold, no_instrument_function))
#define __exitdata __attribute__((section(".exit.data")))
typedef void (*exitcall_t)(void);
#define module_exit(fn) \
	static exitcall_t __exitcall_##fn __attribute__((used, section(".exitcall.exit"))) = fn
static int __exitdata farewell = 2;
static void __exit old_exit(void) { sink(source() * farewell); }
module_exit(old_exit);
/* crypto/rng.c in 6.1.187: a new module_exit() of built-in code. */
static void __exit new_exit(void) { sink(0); }
module_exit(new_exit);
int foo(int x) { return x - source(); }
