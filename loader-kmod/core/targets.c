// SPDX-License-Identifier: GPL-2.0
/*
 * The targets of an update: vmlinux and the modules its units patch, and
 * where the update stands with each (sysfs "targets").  An action
 * references the target modules that are loaded for its own duration and
 * leaves out the units of the others; modules.c patches those when they
 * load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "compat.h"
#include "internal.h"

/* The seq of the last update applied; protected by ksplice_mutex. */
static u64 ksplice_last_seq;

static const char *const target_state_names[] = {
	[KSPLICE_TARGET_UNPATCHED] = "unpatched",
	[KSPLICE_TARGET_PATCHED] = "loaded-patched",
	[KSPLICE_TARGET_WAITING] = "waiting",
	[KSPLICE_TARGET_REFUSED] = "refused",
};

/* Whether @unit replaces a function of its module's init text. */
static bool replaces_init(const struct ksplice_unit *unit)
{
	unsigned int i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (unit->funcs[i].flags & KSPLICE_FUNC_INIT)
			return true;
	return false;
}

/**
 * ksplice_init_targets() - the distinct targets of an update's units
 * @update: the update being registered, its units checked
 *
 * CONTEXT: Might sleep.
 * RETURNS: 0 or -ENOMEM.
 */
int ksplice_init_targets(struct ksplice_update *update)
{
	unsigned int u, i;

	update->targets = kcalloc(update->nr_units, sizeof(*update->targets),
				  GFP_KERNEL);
	update->unit_target = kcalloc(update->nr_units,
				      sizeof(*update->unit_target), GFP_KERNEL);
	if (!update->targets || !update->unit_target)
		return -ENOMEM;
	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];

		for (i = 0; i < update->nr_targets; i++)
			if (!strcmp(update->targets[i].name, unit->target))
				break;
		if (i == update->nr_targets) {
			update->targets[i].name = unit->target;
			update->targets[i].vmlinux =
				ksplice_unit_in_vmlinux(unit);
			update->nr_targets++;
		}
		update->targets[i].hooks |= unit->nr_hooks != 0;
		update->targets[i].init |= replaces_init(unit);
		update->targets[i].data |= unit->nr_data != 0;
		update->unit_target[u] = i;
	}
	return 0;
}

/**
 * ksplice_free_targets() - free what ksplice_init_targets() allocated
 * @update: the update, not applied
 */
void ksplice_free_targets(struct ksplice_update *update)
{
	kfree(update->unit_target);
	kfree(update->targets);
}

/*
 * Whether an action may patch @mod: live, or coming with our notifier
 * already called (a coming module whose notifier is yet to come is left
 * to it: a load can still fail before the chain, freeing the module
 * without a GOING call).  Called under module_mutex inside a kallsyms walk
 * that our caller began holding ksplice_mutex.
 */
static bool counts_loaded(struct module *mod)
{
	enum module_state state = READ_ONCE(mod->state);

	return state == MODULE_STATE_LIVE ||
	       (state == MODULE_STATE_COMING && ksplice_module_seen(mod));
}

/* Whether the reference on @t's module stays while the update is applied. */
static bool pinned(const struct ksplice_update *update,
		   const struct ksplice_target *t)
{
	return t->hooks && update->stage == KSPLICE_STAGE_APPLIED;
}

/**
 * ksplice_put_targets() - drop the references of an action
 * @update: the update
 *
 * A target module with hooks stays referenced while the update is applied:
 * its hooks ran against that module's state, and would not run again if
 * it were loaded anew.
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_put_targets(struct ksplice_update *update)
{
	unsigned int i;

	lockdep_assert_held(&ksplice_mutex);
	for (i = 0; i < update->nr_targets; i++) {
		struct ksplice_target *t = &update->targets[i];

		if (!t->ref || (pinned(update, t) && t->mod == t->ref))
			continue;
		module_put(t->ref);
		t->ref = NULL;
	}
}

/*
 * Whether @t's module, just referenced, rules the action out: its init
 * ran with the old code (apply), or it holds data whose initial value the
 * update changes (apply and undo: the value is written only as the module
 * comes, so the module must not be loaded).  Sets the cause.
 */
static int loaded_conflict(struct ksplice_update *update,
			   const struct ksplice_target *t, bool apply)
{
	if (apply && t->init && READ_ONCE(t->ref->state) == MODULE_STATE_LIVE) {
		ksplice_abort(update, KSPLICE_CAUSE_module_init_ran,
			      "module '%s' is loaded, and the update replaces its init code, which ran when it loaded; unload it and apply again\n",
			      t->name);
		return -EBUSY;
	}
	if (t->data) {
		ksplice_abort(update, KSPLICE_CAUSE_module_data_live,
			      apply ? "module '%s' is loaded, and the update changes the initial value of its data, which it has been using; unload it and apply again\n" :
				      "module '%s' is loaded with the data this update wrote as it loaded; unload it and undo again\n",
			      t->name);
		return -EBUSY;
	}
	return 0;
}

/**
 * ksplice_get_targets() - reference the target modules that are loaded
 * @update: the update
 * @apply: for apply or check: a target with hooks must be loaded
 *
 * A module target that is not loaded is left out of the action (its units
 * are skipped, see ksplice_mark_skip()).  One whose init code the update
 * replaces must not be live: its init ran with the old code (a module
 * still coming is patched before, or while, its init runs; the stack
 * check sees a thread in it).  One whose data the update changes must not
 * be loaded at all (loaded_conflict()).
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -ENODEV (target_not_loaded) or -EBUSY (module_init_ran,
 * module_data_live) with update->cause set and no reference of this action
 * held.
 */
int ksplice_get_targets(struct ksplice_update *update, bool apply)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	for (i = 0; i < update->nr_targets; i++) {
		struct ksplice_target *t = &update->targets[i];

		if (t->vmlinux || t->ref)
			continue;
		t->ref = ksplice_get_module(t->name, counts_loaded);
		ret = t->ref ? loaded_conflict(update, t, apply) : 0;
		if (ret) {
			ksplice_put_targets(update);
			return ret;
		}
		if (t->ref || !apply || !t->hooks)
			continue;
		ksplice_abort(update, KSPLICE_CAUSE_target_not_loaded,
			      "module '%s': a unit with hooks patches it, and hooks run only at apply; load '%s' first\n",
			      t->name, t->name);
		ksplice_put_targets(update);
		return -ENODEV;
	}
	return 0;
}

/**
 * ksplice_mark_skip() - leave units out of a pass
 * @update: the update
 * @states: its units' fresh states
 * @only: the target of the pass (a module loading), or NULL: every target
 *        that is loaded (vmlinux, and modules ksplice_get_targets()
 *        referenced)
 */
void ksplice_mark_skip(struct ksplice_update *update,
		       struct ksplice_unit_state *states,
		       const struct ksplice_target *only)
{
	unsigned int u;

	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_target *t =
			&update->targets[update->unit_target[u]];

		states[u].skip = only ? t != only : !t->vmlinux && !t->ref;
	}
}

/**
 * ksplice_targets_applied() - the targets of an update just applied
 * @update: the update, stage applied
 *
 * The referenced ones are patched, the others wait; the action's
 * references are dropped.
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_targets_applied(struct ksplice_update *update)
{
	unsigned int i;

	lockdep_assert_held(&ksplice_mutex);
	update->seq = ++ksplice_last_seq;
	for (i = 0; i < update->nr_targets; i++) {
		struct ksplice_target *t = &update->targets[i];

		t->cause = KSPLICE_CAUSE_none;
		t->mod = t->ref;
		t->state = t->vmlinux || t->ref ? KSPLICE_TARGET_PATCHED :
			   KSPLICE_TARGET_WAITING;
		if (t->state == KSPLICE_TARGET_WAITING)
			ksplice_info(update, "module '%s' is not loaded: it will be patched when it loads\n",
				     t->name);
	}
	ksplice_put_targets(update);
}

/**
 * ksplice_targets_reversed() - the targets of an update just undone
 * @update: the update, stage reversed
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_targets_reversed(struct ksplice_update *update)
{
	unsigned int i;

	lockdep_assert_held(&ksplice_mutex);
	ksplice_put_targets(update);
	for (i = 0; i < update->nr_targets; i++) {
		update->targets[i].state = KSPLICE_TARGET_UNPATCHED;
		update->targets[i].cause = KSPLICE_CAUSE_none;
		update->targets[i].mod = NULL;
	}
}

/**
 * ksplice_targets_show() - sysfs "targets": "<name> <state>[ <token>]"
 * @update: the update
 * @buf: a sysfs buffer
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: The number of bytes written.
 */
ssize_t ksplice_targets_show(struct ksplice_update *update, char *buf)
{
	unsigned int i;
	ssize_t n = 0;

	lockdep_assert_held(&ksplice_mutex);
	for (i = 0; i < update->nr_targets; i++) {
		const struct ksplice_target *t = &update->targets[i];

		n += sysfs_emit_at(buf, n, "%s %s", t->name,
				   target_state_names[t->state]);
		if (t->state == KSPLICE_TARGET_REFUSED)
			n += sysfs_emit_at(buf, n, " %s",
					   ksplice_cause_names[t->cause]);
		n += sysfs_emit_at(buf, n, "\n");
	}
	return n;
}

/**
 * ksplice_target_named() - an update's module target of a name
 * @update: the update
 * @name: a module name
 *
 * RETURNS: The target, or NULL.
 */
struct ksplice_target *ksplice_target_named(struct ksplice_update *update,
					    const char *name)
{
	unsigned int i;

	for (i = 0; i < update->nr_targets; i++)
		if (!update->targets[i].vmlinux &&
		    !strcmp(update->targets[i].name, name))
			return &update->targets[i];
	return NULL;
}
