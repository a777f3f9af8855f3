// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks: functions of the patch module, registered with <ksplice/hooks.h>,
 * that the loader calls at the stages of apply and undo.
 *
 *   apply:  pre_apply (may refuse) -> stop_machine { apply, jumps }
 *           -> post_apply; fail_apply when it fails after pre_apply ran
 *   undo:   pre_reverse (may refuse) -> stop_machine { bytes, reverse }
 *           -> post_reverse; fail_reverse when it fails after pre_reverse
 *
 * The apply kinds run unit by unit in unit order and, within a unit, in
 * the order the patch registered them; the reverse kinds in exactly the
 * opposite order.  A check runs no hook.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"
#include "internal.h"

const char *const ksplice_hook_names[KSPLICE_NR_HOOK_KINDS + 1] = {
	[KSPLICE_HOOK_PRE_APPLY] = "pre_apply",
	[KSPLICE_HOOK_APPLY] = "apply",
	[KSPLICE_HOOK_POST_APPLY] = "post_apply",
	[KSPLICE_HOOK_FAIL_APPLY] = "fail_apply",
	[KSPLICE_HOOK_PRE_REVERSE] = "pre_reverse",
	[KSPLICE_HOOK_REVERSE] = "reverse",
	[KSPLICE_HOOK_POST_REVERSE] = "post_reverse",
	[KSPLICE_HOOK_FAIL_REVERSE] = "fail_reverse",
};

static bool reverse_kind(u32 kind)
{
	return kind >= KSPLICE_HOOK_PRE_REVERSE;
}

/*
 * The @i-th hook of the walk over @update's units in the order of @kind:
 * forward for the apply kinds, backward for the reverse kinds.  *@unit is
 * set to the index of the unit holding it.
 */
static const struct ksplice_hook *nth_hook(struct ksplice_update *update,
					   u32 kind, unsigned int i,
					   unsigned int *unit)
{
	bool back = reverse_kind(kind);
	unsigned int u, h;

	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit_p;

		*unit = back ? update->nr_units - 1 - u : u;
		unit_p = update->units[*unit];
		if (i < unit_p->nr_hooks) {
			h = back ? unit_p->nr_hooks - 1 - i : i;
			return &unit_p->hooks[h];
		}
		i -= unit_p->nr_hooks;
	}
	return NULL;
}

/* Calls the void hooks of @kind of the first @nr_units units of the walk. */
static void call_void(struct ksplice_update *update, u32 kind,
		      unsigned int nr_units)
{
	const struct ksplice_hook *hook;
	unsigned int i, u;

	for (i = 0; (hook = nth_hook(update, kind, i, &u)); i++) {
		if (reverse_kind(kind) ? update->nr_units - 1 - u >= nr_units :
					 u >= nr_units)
			break;
		if (hook->kind == kind)
			((void (*)(void))hook->fn)();
	}
}

/**
 * ksplice_call_hooks() - call every hook of one void kind
 * @update: the update
 * @kind: KSPLICE_HOOK_{APPLY,POST_APPLY,FAIL_APPLY} or the reverse ones
 *
 * CONTEXT: ksplice_mutex held, or (APPLY, REVERSE) inside the
 * stop_machine callback of an action that holds it.
 */
void ksplice_call_hooks(struct ksplice_update *update, u32 kind)
{
	call_void(update, kind, update->nr_units);
}

/**
 * ksplice_pre_hooks() - call the pre_apply (pre_reverse) hooks
 * @update: the update, with every other check of the action passed
 * @undo: the pre_reverse hooks, for undo
 *
 * Stops at the first hook that returns nonzero: the action is refused with
 * hook_refused, and the fail hooks of every unit whose pre hooks began run
 * before this returns.
 *
 * CONTEXT: ksplice_mutex held; sleeps if a hook does.
 * RETURNS: 0, or -ECANCELED with update->cause set.
 */
int ksplice_pre_hooks(struct ksplice_update *update, bool undo)
{
	u32 kind = undo ? KSPLICE_HOOK_PRE_REVERSE : KSPLICE_HOOK_PRE_APPLY;
	const struct ksplice_hook *hook;
	unsigned int i, u;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	for (i = 0; (hook = nth_hook(update, kind, i, &u)); i++) {
		if (hook->kind != kind)
			continue;
		ret = ((int (*)(void))hook->fn)();
		if (!ret)
			continue;
		ksplice_abort(update, KSPLICE_CAUSE_hook_refused,
			      "%s: %s hook '%s' of %s returned %d\n",
			      undo ? "undo" : "apply", ksplice_hook_names[kind],
			      hook->name, update->units[u]->name, ret);
		call_void(update, undo ? KSPLICE_HOOK_FAIL_REVERSE :
					 KSPLICE_HOOK_FAIL_APPLY,
			  undo ? update->nr_units - u : u + 1);
		return -ECANCELED;
	}
	return 0;
}

/**
 * ksplice_check_hooks() - a unit's hooks are well formed
 * @unit: the unit, its other tables checked
 * @owner: the patch module, still in its init
 *
 * Every hook has a known kind, a name and a function in the patch
 * module's core text: hook code is new code of the patch, never code of
 * the running kernel.
 *
 * RETURNS: 0 or -EINVAL.
 */
int ksplice_check_hooks(const struct ksplice_unit *unit, struct module *owner)
{
	unsigned long text, size, fn;
	unsigned int i;

	text = ksplice_module_text(owner, &size);
	for (i = 0; i < unit->nr_hooks; i++) {
		const struct ksplice_hook *hook = &unit->hooks[i];

		fn = (unsigned long)hook->fn;
		if (!hook->kind || hook->kind > KSPLICE_NR_HOOK_KINDS ||
		    !hook->name || fn < text || fn >= text + size)
			return -EINVAL;
	}
	return 0;
}
