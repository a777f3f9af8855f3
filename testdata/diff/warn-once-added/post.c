/* WARN_ONCE()-style once flags live together in .data..once; adding one in
 * a changed function is no change to existing data (the patch gets fresh
 * flags). */
extern void __warn_printk(const char *fmt, ...);
#define WARN_ONCE_ON(cond, msg) ({					\
	static int __attribute__((section(".data..once"))) __already_done; \
	if ((cond) && !__already_done) {				\
		__already_done = 1;					\
		__warn_printk(msg);					\
	} })
int first(int x) { WARN_ONCE_ON(x < 0, "first\n"); return x + 1; }
int second(int x) { WARN_ONCE_ON(x > 9, "second\n"); return x + 2; }
