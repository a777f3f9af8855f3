/* Pre symbols' flags: a __weak definition (another object may override
 * it: the loader tolerates its mismatch), a global and a static. */
__attribute__((weak, noinline)) int weak_fn(int x) { return x + 1; }
__attribute__((noinline)) int global_fn(int x) { return x * 3; }
__attribute__((noinline)) static int static_fn(int x) { return x - 2; }
int foo(int x) { return weak_fn(x) + global_fn(x) + static_fn(x); }
