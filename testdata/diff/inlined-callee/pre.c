/* A changed inline helper changes every function it was inlined into. */
extern int source(void);
static inline int helper(int x) { return x * 3 + 1; }
int user_a(void) { return helper(source()); }
int user_b(int y) { return helper(y) + 7; }
int bystander(int y) { return y + source(); }
