extern int source(void);
__attribute__((noinline)) static int old_helper(int x) { return x * source(); }
int foo(int x) { return old_helper(x) + 1; }
