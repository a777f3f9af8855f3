/* A changed call target is a change even though the bytes are equal. */
extern void bar(void);
extern void baz(void);
void foo(void) { bar(); }
void other(void) { baz(); }
