/* Function-scope statics are numbered in definition order: swapping the
 * functions swaps `n.0` and `n.1`, which must still pair by their users. */
int second(void) { static int n; return n += 3; }
int first(void) { static int n; return ++n; }
