extern int source(void);
#define __init __attribute__((section(".init.text"), cold, no_instrument_function))
int __init setup(void) { return source() + 1; }
int foo(int x) { return x + source(); }
