/* An initial-value fix through hooks: the old initialiser stays, an apply
 * hook writes the new value and a reverse hook the old one; a pre_apply
 * hook may refuse.  An __init function changes too, declared harmless
 * with ksplice_init_changed(). */
int foo_limit = 16;
int __attribute__((section(".init.text"))) foo_setup(void) { return 1; }
int foo(int x) { return x < foo_limit; }
