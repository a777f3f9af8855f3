/* module_init() keeps init_module addressable through a static named by
 * __UNIQUE_ID(), whose __COUNTER__ suffix moves when the patch uses
 * __COUNTER__ earlier in the file (here an enum; in the kernel any
 * __UNIQUE_ID(), e.g. min()/max()): the same object under another number,
 * not a new __init variable. */
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#define ADDRESSABLE(sym, sec)						\
	static void *__attribute__((section(sec), used))		\
	__UNIQUE_ID(__PASTE(__addressable_, sym)) = (void *)&sym;
enum { shifted = __COUNTER__ };
int foo(int x) { return x + 2; }
int my_init(void) { return 0; }
ADDRESSABLE(my_init, ".init.data")
