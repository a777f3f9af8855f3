extern int source(void);
__attribute__((noinline)) int added_helper(int x) { return x * source() + 3; }
int foo(int x) { return x + added_helper(x); }
