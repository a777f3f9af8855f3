extern int source(void);
#define __sched __attribute__((section(".sched.text")))
/* A new __sched helper, called by the changed foo. */
__attribute__((noinline)) int __sched wait_a_bit(int x) { return x * source(); }
int foo(int x) { return wait_a_bit(x) + source(); }
