// SPDX-License-Identifier: GPL-2.0
/*
 * Module targets loaded later, unloaded or loaded again: the module
 * notifier.  (targets.c has the per-target state and what an action
 * references; a module target not loaded at apply is "waiting".)  The
 * notifier, called first in the chain, patches a waiting target when its
 * module comes (MODULE_STATE_COMING: formed, its text read-only, its init not
 * run, so no thread can be inside it): run-pre matching, late relocations
 * and the jumps of every applied update that targets it, in the order the
 * updates were applied, all prepared before the first jump is written.
 * If any of that fails the load is refused (the chain is called with
 * blocking_notifier_call_chain_robust(), so the module is freed without
 * running) and the target reads "refused <token>".  When a patched module
 * goes live (MODULE_STATE_LIVE), the jumps in its init text are forgotten
 * (the module loader frees it); when it goes (MODULE_STATE_GOING), its
 * jumps go with its text and the target waits again.
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

/**
 * ksplice_module_seen() - whether the notifier saw @mod come and not go
 * @mod: a module
 *
 * CONTEXT: ksplice_mutex held (module_mutex too, from a kallsyms walk).
 */
bool ksplice_module_seen(struct module *mod)
{
	struct ksplice_seen *s;

	lockdep_assert_held(&ksplice_mutex);
	list_for_each_entry(s, &ksplice_seen, list)
		if (s->mod == mod)
			return true;
	return false;
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
		if (u->stage != KSPLICE_STAGE_APPLIED || !ksplice_target_named(u, name))
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

/* Whether @t's jumps are already written into this instance @mod. */
static bool patched_in(const struct ksplice_target *t, const struct module *mod)
{
	return t->state == KSPLICE_TARGET_PATCHED && t->mod == mod;
}

/* Each changed data object @d of @update's units of @t (u, i: cursors). */
#define for_each_coming_data(update, t, d, u, i)			\
	for (u = 0; u < (update)->nr_units; u++)			\
		if (&(update)->targets[(update)->unit_target[u]] == (t))	\
			for (i = 0; i < (update)->units[u]->nr_data &&	\
				    (d = &(update)->units[u]->data[i]); i++)

/*
 * Before the commit point: the late relocations of @update's units of @t
 * put every changed data object inside @mod.  Returns 0 or -EINVAL with
 * cause set.
 */
static int check_coming_data(struct ksplice_update *update,
			     const struct ksplice_target *t, struct module *mod)
{
	const struct ksplice_data *d;
	unsigned int u, i;

	for_each_coming_data(update, t, d, u, i) {
		unsigned long dst = (unsigned long)d->dst;

		if (ksplice_within_module(dst, mod) &&
		    ksplice_within_module(dst + d->size - 1, mod))
			continue;
		ksplice_abort(update, KSPLICE_CAUSE_bad_package,
			      "unit '%s' data '%s': its address %px is not in module '%s'\n",
			      update->units[u]->name, d->name, d->dst, mod->name);
		return -EINVAL;
	}
	return 0;
}

/*
 * Writes the changed data of @update's units of @t into the coming module,
 * which nothing has read yet: part of a load's commit point, in the order
 * the updates were applied (the last one's value stays).
 */
static void write_coming_data(struct ksplice_update *update,
			      const struct ksplice_target *t)
{
	const struct ksplice_data *d;
	unsigned int u, i, n = 0;

	for_each_coming_data(update, t, d, u, i) {
		memcpy(d->dst, d->image, d->size);
		n++;
	}
	if (n)
		ksplice_info(update, "wrote %u data object%s of module '%s' as it loads\n",
			     n, n == 1 ? "" : "s", t->name);
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
	ksplice_mark_skip(update, states, t);
	ret = ksplice_prepare_states(update, states, true, NULL, NULL);
	ksplice_free_states(update, states);
	if (!ret)
		ret = check_coming_sites(update, *from);
	if (!ret)
		ret = check_coming_data(update, t, mod);
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
		struct ksplice_target *t = ksplice_target_named(u, mod->name);

		from[i] = u->nr_jumps;
		if (patched_in(t, mod)) {
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
	for_each_applied(u, mod->name) {
		struct ksplice_target *t = ksplice_target_named(u, mod->name);

		if (ret)
			break;
		if (!patched_in(t, mod))
			write_coming_data(u, t);
	}
	i = 0;
	for_each_applied(u, mod->name) {
		struct ksplice_target *t = ksplice_target_named(u, mod->name);

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
 * Forgets @update's jumps into target @t, whose module @mod goes (or, with
 * @init_only, goes live: its init text is freed).  A jump in @mod's text
 * goes with it; one written elsewhere (into an earlier update's
 * replacement of a function of @mod, reached only from @mod) is undone, so
 * the next load matches and patches afresh.
 */
static void drop_target_jumps(struct ksplice_update *update,
			      struct ksplice_target *t, struct module *mod,
			      bool init_only)
{
	unsigned int i, kept = 0;

	for (i = 0; i < update->nr_jumps; i++) {
		struct ksplice_jump *j = &update->jumps[i];
		unsigned int u = unit_index(update, j->unit);

		if (&update->targets[update->unit_target[u]] != t ||
		    (init_only && !(j->func->flags & KSPLICE_FUNC_INIT))) {
			if (kept != i)
				update->jumps[kept] = *j;
			kept++;
			continue;
		}
		if (!ksplice_within_module(j->addr, mod) &&
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
		struct ksplice_target *t = ksplice_target_named(u, mod->name);

		if (t->ref == mod) {
			module_put(mod);
			t->ref = NULL;
		}
		if (!patched_in(t, mod))
			continue;
		drop_target_jumps(u, t, mod, false);
		t->state = KSPLICE_TARGET_WAITING;
		t->mod = NULL;
		ksplice_info(u, "module '%s' unloaded: waiting for it to be loaded again\n",
			     mod->name);
	}
}

/*
 * MODULE_STATE_LIVE: @mod's init ran and its init text is about to be
 * freed; the jumps written there are forgotten (nothing runs that code
 * again, and undo must not write into freed memory).
 */
static void module_live(struct module *mod)
{
	struct ksplice_update *u;

	lockdep_assert_held(&ksplice_mutex);
	for_each_applied(u, mod->name) {
		struct ksplice_target *t = ksplice_target_named(u, mod->name);

		if (t->init && patched_in(t, mod))
			drop_target_jumps(u, t, mod, true);
	}
}

static int module_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct module *mod = data;
	int ret = 0;

	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING &&
	    action != MODULE_STATE_LIVE)
		return NOTIFY_DONE;
	mutex_lock(&ksplice_mutex);
	if (action == MODULE_STATE_LIVE) {
		module_live(mod);
	} else if (action == MODULE_STATE_COMING) {
		ret = ksplice_patch_coming(mod);
		if (!ret)
			ret = module_coming(mod);
		if (ret)	/* a failing callback is not called back */
			ksplice_patch_going(mod);
	} else {
		module_going(mod);
		ksplice_patch_going(mod);
	}
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
