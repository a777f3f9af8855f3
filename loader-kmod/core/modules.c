// SPDX-License-Identifier: GPL-2.0
/*
 * Module targets: the modules an update's units patch, whether they are
 * loaded at apply, loaded later, unloaded or loaded again.
 *
 * An action (apply, check, undo) references the target modules that are
 * loaded for its duration only, and works on those (and vmlinux); a module
 * target that is not loaded at apply is "waiting".  A module notifier,
 * called first in the chain, patches a waiting target when its module
 * comes (MODULE_STATE_COMING: formed, its text read-only, its init not
 * run, so no thread can be inside it): run-pre matching, late relocations
 * and the jumps of every applied update that targets it, in the order the
 * updates were applied, all prepared before the first jump is written.
 * If any of that fails the load is refused (the chain is called with
 * blocking_notifier_call_chain_robust(), so the module is freed without
 * running) and the target reads "refused <token>".  When a patched module
 * goes (MODULE_STATE_GOING), its jumps go with its text and the target
 * waits again.
 *
 * The notifier takes ksplice_mutex; the kernel calls the chain without
 * module_mutex, and we take module_mutex (kallsyms walks) only under
 * ksplice_mutex, so the order is ksplice_mutex -> module_mutex everywhere.
 * A module whose COMING we saw, or that is live, cannot be freed before our
 * GOING callback has run, and that waits for ksplice_mutex: what an action
 * found in such a module stays valid while it holds the mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "internal.h"

/* A module whose COMING the notifier saw, and not its GOING. */
struct ksplice_seen {
	struct list_head list;
	struct module *mod;
};

/* The seen modules; protected by ksplice_mutex. */
static LIST_HEAD(ksplice_seen);
/* The seq of the last update applied; protected by ksplice_mutex. */
static u64 ksplice_last_seq;

static const char *const target_state_names[] = {
	[KSPLICE_TARGET_UNPATCHED] = "unpatched",
	[KSPLICE_TARGET_PATCHED] = "loaded-patched",
	[KSPLICE_TARGET_WAITING] = "waiting",
	[KSPLICE_TARGET_REFUSED] = "refused",
};

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
				!strcmp(unit->target, "vmlinux");
			update->nr_targets++;
		}
		update->targets[i].hooks |= unit->nr_hooks != 0;
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

static bool seen(struct module *mod)
{
	struct ksplice_seen *s;

	list_for_each_entry(s, &ksplice_seen, list)
		if (s->mod == mod)
			return true;
	return false;
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
	       (state == MODULE_STATE_COMING && seen(mod));
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

/**
 * ksplice_get_targets() - reference the target modules that are loaded
 * @update: the update
 * @apply: for apply or check: a target with hooks must be loaded
 *
 * A module target that is not loaded is left out of the action (its units
 * are skipped, see ksplice_skip_absent()).
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -ENODEV with update->cause set (target_not_loaded) and no
 * reference of this action held.
 */
int ksplice_get_targets(struct ksplice_update *update, bool apply)
{
	unsigned int i;

	lockdep_assert_held(&ksplice_mutex);
	for (i = 0; i < update->nr_targets; i++) {
		struct ksplice_target *t = &update->targets[i];

		if (t->vmlinux || t->ref)
			continue;
		t->ref = ksplice_get_module(t->name, counts_loaded);
		if (t->ref || !apply || !t->hooks)
			continue;
		ksplice_abort(update, KSPLICE_CAUSE_target_not_loaded,
			      "module '%s': a unit with hooks patches it, and hooks run only at apply; load it first\n",
			      t->name);
		ksplice_put_targets(update);
		return -ENODEV;
	}
	return 0;
}

/* Marks skip the units whose target is not @only (NULL: not loaded). */
static void mark_skip(struct ksplice_update *update,
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
 * ksplice_skip_absent() - leave out the units of targets not loaded
 * @update: the update, its targets referenced by ksplice_get_targets()
 * @states: its units' fresh states
 */
void ksplice_skip_absent(struct ksplice_update *update,
			 struct ksplice_unit_state *states)
{
	mark_skip(update, states, NULL);
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

static struct ksplice_target *target_named(struct ksplice_update *update,
					   const char *name)
{
	unsigned int i;

	for (i = 0; i < update->nr_targets; i++)
		if (!update->targets[i].vmlinux &&
		    !strcmp(update->targets[i].name, name))
			return &update->targets[i];
	return NULL;
}

/*
 * The applied update with a target named @name whose seq comes right
 * after @after (before @before when going backward), or NULL: the updates
 * in the order they were applied.
 */
static struct ksplice_update *next_applied(const char *name, u64 after,
					   bool backward)
{
	struct ksplice_update *u, *best = NULL;

	list_for_each_entry(u, &ksplice_updates, list) {
		if (u->stage != KSPLICE_STAGE_APPLIED || !target_named(u, name))
			continue;
		if (backward ? u->seq >= after : u->seq <= after)
			continue;
		if (!best || (backward ? u->seq > best->seq :
			      u->seq < best->seq))
			best = u;
	}
	return best;
}

#define for_each_applied(u, name)					\
	for (u = next_applied(name, 0, false); u;			\
	     u = next_applied(name, u->seq, false))
#define for_each_applied_backward(u, name)				\
	for (u = next_applied(name, U64_MAX, true); u;			\
	     u = next_applied(name, u->seq, true))

/* The name of the first unit of @t, for messages. */
static const char *first_unit(struct ksplice_update *update,
			      const struct ksplice_target *t)
{
	unsigned int u;

	for (u = 0; u < update->nr_units; u++)
		if (&update->targets[update->unit_target[u]] == t)
			return update->units[u]->name;
	return "?";
}

/*
 * Before the first write of a load: every new jump site still holds the
 * bytes saved, and no kprobe sits there.  Returns 0 or -errno with cause
 * set.
 */
static int check_coming_sites(struct ksplice_update *update,
			      unsigned int from)
{
	unsigned int i;

	int ret;

	for (i = from; i < update->nr_jumps; i++) {
		const struct ksplice_jump *j = &update->jumps[i];

		ret = ksplice_check_jump(j, false);
		if (ret == -EADDRINUSE) {
			ksplice_abort(update, KSPLICE_CAUSE_kprobe_conflict,
				      "function '%s': a kprobe sits on its jump site\n",
				      j->func->name);
			return -EBUSY;
		}
		if (ret) {
			ksplice_abort(update, KSPLICE_CAUSE_unexpected,
				      "function '%s': the bytes at its jump site changed\n",
				      j->func->name);
			return ret;
		}
	}
	return 0;
}

/*
 * Prepares @update's units of @t for the coming @mod: matching, late
 * relocations (written into the new code, which nothing reaches before
 * the jumps), the jumps appended to update->jumps from *@from.
 */
static int prepare_coming(struct ksplice_update *update,
			  struct ksplice_target *t, struct module *mod,
			  unsigned int *from)
{
	struct ksplice_unit_state *states;
	int ret;

	ksplice_report_begin(update, true);
	*from = update->nr_jumps;
	states = ksplice_alloc_states(update);
	if (!states) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory for the matching state\n");
		return -ENOMEM;
	}
	mark_skip(update, states, t);
	ret = ksplice_prepare_states(update, states, true, NULL, NULL);
	ksplice_free_states(update, states);
	if (!ret)
		ret = check_coming_sites(update, *from);
	return ret;
}

/* Writes the jumps of @update from @from: the commit point of a load. */
static void write_coming(struct ksplice_update *update, unsigned int from)
{
	unsigned int i;

	for (i = from; i < update->nr_jumps; i++)
		memcpy(update->jumps[i].wp, update->jumps[i].insn,
		       KSPLICE_JUMP_SIZE);
}

/* Refuses the load of @mod for @update's target @t; the cause is set. */
static void refuse(struct ksplice_update *update, struct ksplice_target *t,
		   struct module *mod)
{
	t->state = KSPLICE_TARGET_REFUSED;
	t->cause = update->cause != KSPLICE_CAUSE_none ? update->cause :
		   KSPLICE_CAUSE_unexpected;
	pr_err("'%s': %s: refusing to load module '%s': unit '%s' of the update cannot patch it (see above); the module was not changed and the update stays applied to the rest\n",
	       update->id, ksplice_cause_names[t->cause], mod->name,
	       first_unit(update, t));
}

/*
 * MODULE_STATE_COMING: patch @mod for every applied update that targets
 * it, or refuse it.  from[] holds each update's first new jump, in the
 * order the updates were applied.  A later update built on an earlier
 * one's code matches it through the earlier one's jumps prepared here
 * (ksplice_follow_jumps() sees them before they are written).
 */
static int module_coming(struct module *mod)
{
	struct ksplice_update *u, *failed = NULL;
	struct ksplice_seen *s;
	unsigned int n = 0, i;
	unsigned int *from;
	int ret = 0;

	lockdep_assert_held(&ksplice_mutex);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	for_each_applied(u, mod->name)
		n++;
	from = kcalloc(n ? n : 1, sizeof(*from), GFP_KERNEL);
	if (!s || !from) {
		kfree(s);
		kfree(from);
		pr_err("out_of_memory: refusing to load module '%s': no memory to check it against the applied updates\n",
		       mod->name);
		return -ENOMEM;
	}
	i = 0;
	for_each_applied(u, mod->name) {
		struct ksplice_target *t = target_named(u, mod->name);

		from[i] = u->nr_jumps;
		if (t->state == KSPLICE_TARGET_PATCHED && t->mod == mod) {
			i++;
			continue;	/* an apply found it coming */
		}
		ret = prepare_coming(u, t, mod, &from[i++]);
		if (ret) {
			failed = u;
			refuse(u, t, mod);
			break;
		}
	}
	/* Commit point: later updates first, each on the code before it. */
	for_each_applied_backward(u, mod->name) {
		if (ret)
			break;
		write_coming(u, from[--i]);
	}
	i = 0;
	for_each_applied(u, mod->name) {
		struct ksplice_target *t = target_named(u, mod->name);

		if (ret) {
			ksplice_drop_jumps(u, from[i++]);
			if (u == failed)
				break;
			continue;
		}
		if (from[i] < u->nr_jumps)
			ksplice_info(u, "patched module '%s' as it loads: %u function%s\n",
				     mod->name, u->nr_jumps - from[i],
				     u->nr_jumps - from[i] == 1 ? "" : "s");
		i++;
		t->state = KSPLICE_TARGET_PATCHED;
		t->cause = KSPLICE_CAUSE_none;
		t->mod = mod;
	}
	kfree(from);
	if (ret) {
		kfree(s);
		return ret;
	}
	s->mod = mod;
	list_add(&s->list, &ksplice_seen);
	return 0;
}

/* The index of @unit in @update. */
static unsigned int unit_index(const struct ksplice_update *update,
			       const struct ksplice_unit *unit)
{
	unsigned int u;

	for (u = 0; u < update->nr_units && update->units[u] != unit; u++)
		;
	return u;
}

/*
 * Forgets @update's jumps into target @t, whose module @mod goes.  A jump
 * in @mod's text goes with it; one written elsewhere (into an earlier
 * update's replacement of a function of @mod, reached only from @mod) is
 * undone, so the next load matches and patches afresh.
 */
static void drop_target_jumps(struct ksplice_update *update,
			      struct ksplice_target *t, struct module *mod)
{
	unsigned int i, kept = 0;

	for (i = 0; i < update->nr_jumps; i++) {
		struct ksplice_jump *j = &update->jumps[i];
		unsigned int u = unit_index(update, j->unit);

		if (&update->targets[update->unit_target[u]] != t) {
			if (kept != i)
				update->jumps[kept] = *j;
			kept++;
			continue;
		}
		if (!ksplice_within_module_core(j->addr, mod) &&
		    !memcmp((void *)j->addr, j->insn, KSPLICE_JUMP_SIZE))
			memcpy(j->wp, j->saved, KSPLICE_JUMP_SIZE);
		vunmap(j->map);
	}
	for (i = kept; i < update->nr_jumps; i++)
		memset(&update->jumps[i], 0, sizeof(update->jumps[i]));
	update->nr_jumps = kept;
}

/* MODULE_STATE_GOING: the patched targets of @mod wait again. */
static void module_going(struct module *mod)
{
	struct ksplice_update *u;
	struct ksplice_seen *s, *tmp;

	lockdep_assert_held(&ksplice_mutex);
	list_for_each_entry_safe(s, tmp, &ksplice_seen, list) {
		if (s->mod == mod) {
			list_del(&s->list);
			kfree(s);
		}
	}
	for_each_applied_backward(u, mod->name) {
		struct ksplice_target *t = target_named(u, mod->name);

		if (t->ref == mod) {
			module_put(mod);
			t->ref = NULL;
		}
		if (t->state != KSPLICE_TARGET_PATCHED || t->mod != mod)
			continue;
		drop_target_jumps(u, t, mod);
		t->state = KSPLICE_TARGET_WAITING;
		t->mod = NULL;
		ksplice_info(u, "module '%s' unloaded: waiting for it to be loaded again\n",
			     mod->name);
	}
}

static int module_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct module *mod = data;
	int ret = 0;

	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&ksplice_mutex);
	if (action == MODULE_STATE_COMING)
		ret = module_coming(mod);
	else
		module_going(mod);
	mutex_unlock(&ksplice_mutex);
	return notifier_from_errno(ret);
}

/*
 * First in the chain: a later callback that fails a load calls us back
 * with GOING (see ksplice_modules_init()).
 */
static struct notifier_block module_nb = {
	.notifier_call = module_notify,
	.priority = INT_MAX,
};

/**
 * ksplice_modules_init() - register the module notifier
 *
 * CONTEXT: Module init.
 * RETURNS: 0 or -errno.
 */
int ksplice_modules_init(void)
{
	return register_module_notifier(&module_nb);
}

/**
 * ksplice_modules_exit() - unregister the module notifier
 *
 * CONTEXT: Module exit: no update is registered.
 */
void ksplice_modules_exit(void)
{
	struct ksplice_seen *s, *tmp;

	unregister_module_notifier(&module_nb);
	list_for_each_entry_safe(s, tmp, &ksplice_seen, list)
		kfree(s);
}
