extern int source(void);
int foo(int x) { return x + source(); }
