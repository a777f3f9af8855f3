/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hooks: code a patch adds that runs when its update is applied or undone.
 *
 * A patch includes this header in the file it changes and registers
 * functions it adds (new, not replaced ones) with one of the macros below.
 * ksplice-create compiles every object with this directory on the include
 * path; in the running kernel's own build the header does not exist, so
 * only a patch can use it.  See docs/patch-author.md, "Hooks".
 *
 *   static int check_state(void)  { return old_state_ok() ? 0 : -EBUSY; }
 *   static void set_limit(void)   { WRITE_ONCE(foo_limit, 64); }
 *   static void reset_limit(void) { WRITE_ONCE(foo_limit, 16); }
 *   ksplice_pre_apply(check_state);
 *   ksplice_apply(set_limit);
 *   ksplice_reverse(reset_limit);
 *
 * Kinds, in the order the loader calls them:
 *   ksplice_pre_apply(fn)    int fn(void), before the machine stops, after
 *                            every other check passed; may sleep; nonzero
 *                            refuses the apply (abort cause hook_refused)
 *   ksplice_apply(fn)        void fn(void), with the machine stopped, at
 *                            the commit point, right before the jumps are
 *                            written: must not sleep, cannot fail
 *   ksplice_post_apply(fn)   void fn(void), after the update is applied
 *   ksplice_fail_apply(fn)   void fn(void), when the apply fails after the
 *                            pre_apply hooks ran (also when one refused)
 * and ksplice_pre_reverse, ksplice_reverse, ksplice_post_reverse,
 * ksplice_fail_reverse, the same for undo (ksplice_reverse right after
 * the old bytes are restored); the reverse kinds run in the opposite
 * order, last unit first.
 *
 * ksplice_init_changed(sym) declares that the patch's change to the __init
 * function or data `sym` needs nothing at run time (or is redone by an
 * apply hook): the differ then accepts it instead of refusing the patch.
 * The running kernel's boot-time code is not changed.
 */
#ifndef KSPLICE_HOOKS_H
#define KSPLICE_HOOKS_H

/* Plain GCC attributes: the header needs nothing of the kernel's. */
#define __ksplice_hook(kind, ret, fn)					\
	static ret (*const __ksplice_hook_##kind##_##fn)(void)		\
	__attribute__((used, section(".ksplice_hook_" #kind))) = fn

#define ksplice_pre_apply(fn)		__ksplice_hook(pre_apply, int, fn)
#define ksplice_apply(fn)		__ksplice_hook(apply, void, fn)
#define ksplice_post_apply(fn)		__ksplice_hook(post_apply, void, fn)
#define ksplice_fail_apply(fn)		__ksplice_hook(fail_apply, void, fn)
#define ksplice_pre_reverse(fn)		__ksplice_hook(pre_reverse, int, fn)
#define ksplice_reverse(fn)		__ksplice_hook(reverse, void, fn)
#define ksplice_post_reverse(fn)	__ksplice_hook(post_reverse, void, fn)
#define ksplice_fail_reverse(fn)	__ksplice_hook(fail_reverse, void, fn)

#define ksplice_init_changed(sym)					\
	static const char __ksplice_init_changed_##sym[]		\
	__attribute__((used, section(".ksplice_init_changed"),		\
		       aligned(1))) = #sym

#endif /* KSPLICE_HOOKS_H */
