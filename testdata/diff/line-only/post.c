/* WARN_ON() as the kernel emits it on x86-64: a ud2 with a __bug_table
 * entry holding __FILE__ and __LINE__; plus a printk of __LINE__. */
extern void __warn_printk(const char *fmt, ...);
#define WARN_ON(cond) ({						\
	int __c = !!(cond);						\
	if (__builtin_expect(__c, 0))					\
		asm volatile("1:\t ud2\n"				\
			     ".pushsection __bug_table,\"aw\"\n"	\
			     "2:\t.long 1b - .\n"			\
			     "\t.long %c0 - .\n"			\
			     "\t.word %c1\n"				\
			     "\t.word %c2\n"				\
			     "\t.org 2b+%c3\n"				\
			     ".popsection"				\
			     : : "i" (__FILE__), "i" (__LINE__),	\
			       "i" (1 << 0), "i" (12));		\
	__builtin_expect(__c, 0); })



/* three lines were added above */

int checked(int x)
{
	WARN_ON(x > 100);
	if (x < 0)
		__warn_printk("negative at line %d: %d\n", __LINE__, x);
	return x * 2;
}
