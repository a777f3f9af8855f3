/* An initial-value fix through hooks: the old initialiser stays, an apply
 * hook writes the new value and a reverse hook the old one; a pre_apply
 * hook may refuse.  An __init function changes too, declared harmless
 * with ksplice_init_changed(). */
#include <ksplice/hooks.h>
int foo_limit = 16;
int __attribute__((section(".init.text"))) foo_setup(void) { return 2; }
int foo(int x) { return x < foo_limit; }
static int limit_ok(void) { return foo_limit == 16 ? 0 : -16; }
static void raise_limit(void) { foo_limit = 64; }
static void restore_limit(void) { foo_limit = 16; }
ksplice_pre_apply(limit_ok);
ksplice_apply(raise_limit);
ksplice_reverse(restore_limit);
ksplice_init_changed(foo_setup);
