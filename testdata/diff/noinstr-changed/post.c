extern int source(void);
#define noinstr __attribute__((section(".noinstr.text"), no_instrument_function))
/* Alone in .noinstr.text, so it is "its own section" like any function. */
int noinstr enter_idle(int x) { return x + 2; }
int foo(int x) { return x + source(); }
