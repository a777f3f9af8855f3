/* References from changed code: `printk` is exported (ordinary ELF
 * relocation), `hidden_global` and the static `counter` are not (late
 * relocations). */
extern int _printk(const char *fmt, ...);
extern int hidden_global;
static int counter;
__attribute__((noinline)) static int helper(int x) { return x + counter++; }
int foo(int x) { _printk("foo %d\n", x); return helper(x) + hidden_global; }
int bar(int x) { return helper(x * 2); }
