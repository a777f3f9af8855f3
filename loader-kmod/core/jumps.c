// SPDX-License-Identifier: GPL-2.0
/*
 * What an applied update holds on to: the earlier updates it builds on
 * (dependencies), and the jumps it writes, each checked against the sites
 * the kernel rewrites at run time, with the original bytes saved and a
 * writable alias of the page prepared.  update->jumps has room for every
 * replaced function; the first nr_jumps are those of the targets that are
 * patched (or about to be): a module target's are appended when it loads
 * and dropped when it goes (modules.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "internal.h"

/* @update builds on @u's code: @u cannot be undone first (once each). */
static int add_dep(struct ksplice_update *update, struct ksplice_update *u)
{
	struct ksplice_update **n;
	unsigned int i;

	for (i = 0; i < update->nr_deps; i++)
		if (update->deps[i] == u)
			return 0;
	n = krealloc_array(update->deps, update->nr_deps + 1, sizeof(*n),
			   GFP_KERNEL);
	if (!n) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory to record the dependency on '%s'\n",
			      u->id);
		return -ENOMEM;
	}
	update->deps = n;
	update->deps[update->nr_deps++] = u;
	return 0;
}

/**
 * ksplice_add_dep() - note that an update builds on the code at an address
 * @update: the update
 * @addr: an address its apply relies on
 *
 * If @addr lies in another update's patch module, this update builds on
 * that one's code: remember it, so that update cannot be undone first.
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: 0, or -ENOMEM with cause set (a lost dependency would let the
 * other update be undone under this one).
 */
int ksplice_add_dep(struct ksplice_update *update, unsigned long addr)
{
	struct ksplice_update *u;

	lockdep_assert_held(&ksplice_mutex);
	u = ksplice_update_of_addr(addr);
	return u && u != update ? add_dep(update, u) : 0;
}

/*
 * A module the new code calls into (another module's export, say) must not
 * be unloaded while that code may run: reference the module holding @addr,
 * once, until the update is unregistered, as the module loader ties a
 * module to those whose symbols it uses.  vmlinux and the unit's own
 * @target (never pinned: its jumps go with it) are left alone.
 */
static int hold_module(struct ksplice_update *update, unsigned long addr,
		       const char *target)
{
	struct module *mod, **n;
	unsigned int i;
	bool got;

	preempt_disable();
	mod = ksplice_module_address(addr);
	if (mod) {
		for (i = 0; i < update->nr_held; i++)
			if (update->held[i] == mod)
				break;
		if (i < update->nr_held || !strcmp(mod->name, target))
			mod = NULL;
	}
	got = !mod || try_module_get(mod);
	preempt_enable();
	if (!got) {
		ksplice_abort(update, KSPLICE_CAUSE_failed_to_find,
			      "a module the new code refers to is being unloaded (address %px)\n",
			      (void *)addr);
		return -ENOENT;
	}
	if (!mod)
		return 0;
	n = krealloc_array(update->held, update->nr_held + 1, sizeof(*n),
			   GFP_KERNEL);
	if (!n) {
		module_put(mod);
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory to hold module '%s'\n", mod->name);
		return -ENOMEM;
	}
	update->held = n;
	update->held[update->nr_held++] = mod;
	return 0;
}

/**
 * ksplice_depend_on() - keep what the new code refers to for as long as it
 * @update: the update whose new code refers to @addr
 * @addr: the value of a late relocation
 * @target: the unit's target ("vmlinux" or a module name)
 *
 * @addr lies in another update's patch module (a dependency,
 * ksplice_add_dep()), in a module (held, see hold_module()) or in vmlinux.
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: 0, or -ENOMEM or -ENOENT (the module is going) with cause set.
 */
int ksplice_depend_on(struct ksplice_update *update, unsigned long addr,
		      const char *target)
{
	struct ksplice_update *u;

	lockdep_assert_held(&ksplice_mutex);
	u = ksplice_update_of_addr(addr);
	if (u)
		return u != update ? add_dep(update, u) : 0;
	return hold_module(update, addr, target);
}

/**
 * ksplice_release_held() - let go of the modules ksplice_depend_on()
 * referenced
 * @update: an update being unregistered
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_release_held(struct ksplice_update *update)
{
	lockdep_assert_held(&ksplice_mutex);
	while (update->nr_held)
		module_put(update->held[--update->nr_held]);
	kfree(update->held);
	update->held = NULL;
}

/**
 * ksplice_runpre_deps() - the dependencies run-pre matching found
 * @update: the update
 * @states: its units' states after run-pre matching
 *
 * A pre section matched inside another update's patch module (its jump was
 * followed to its replacement code), or a symbol value learned from matched
 * code that lies in one.
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: 0, or -ENOMEM with cause set.
 */
int ksplice_runpre_deps(struct ksplice_update *update,
			const struct ksplice_unit_state *states)
{
	unsigned int u, i;
	int ret = 0;

	for (u = 0; u < update->nr_units && !ret; u++) {
		const struct ksplice_unit_state *st = &states[u];

		for (i = 0; i < st->unit->nr_pre && !ret; i++)
			if (st->sect_addr[i])
				ret = ksplice_add_dep(update, st->sect_addr[i]);
		for (i = 0; i < st->unit->nr_syms && !ret; i++)
			if (st->vals[i].resolved && st->vals[i].by_runpre)
				ret = ksplice_add_dep(update, st->vals[i].value);
	}
	return ret;
}

/*
 * The jump of @func must lie in its section, its replacement in the patch
 * module, and it must not overlap a site the kernel rewrites at run time.
 * Returns 0 or -errno with cause set.
 */
static int check_jump_site(struct ksplice_update *update,
			   const struct ksplice_func *func,
			   const struct ksplice_pre_sect *sect)
{
	u32 end = func->jump_offset + KSPLICE_JUMP_SIZE;
	unsigned int i;

	if (end > sect->size ||
	    !ksplice_within_module_core((unsigned long)func->repl,
					update->owner)) {
		ksplice_abort(update, KSPLICE_CAUSE_bad_package,
			      "function '%s': bad jump offset or replacement\n",
			      func->name);
		return -EINVAL;
	}
	for (i = 0; i < sect->nr_sites; i++) {
		const struct ksplice_site *site = &sect->sites[i];
		u32 len = ksplice_site_len(site, sect->data + site->offset,
					   sect->size - site->offset);

		if (!len || !ksplice_site_rewritable(site) ||
		    site->offset >= end ||
		    site->offset + len <= func->jump_offset)
			continue;
		ksplice_abort(update, KSPLICE_CAUSE_kprobe_conflict,
			      "function '%s': a run-time patched site (%s) at offset 0x%x overlaps the jump\n",
			      func->name, ksplice_site_name(site->kind),
			      site->offset);
		return -EBUSY;
	}
	return 0;
}

/* Whether the new jump @j overlaps one prepared before it. */
static int check_overlap(struct ksplice_update *update,
			 const struct ksplice_jump *j)
{
	unsigned int i;

	for (i = 0; i < update->nr_jumps; i++) {
		unsigned long other = update->jumps[i].addr;

		if (other + KSPLICE_JUMP_SIZE > j->addr &&
		    j->addr + KSPLICE_JUMP_SIZE > other) {
			ksplice_abort(update, KSPLICE_CAUSE_bad_package,
				      "function '%s' replaced twice\n",
				      j->func->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* Encode the jump, save the bytes it replaces, map them writable. */
static int make_jump(struct ksplice_update *update, struct ksplice_jump *j)
{
	int ret;

	ret = ksplice_make_jump(j->addr, (unsigned long)j->func->repl, j->insn);
	if (!ret)
		ret = copy_from_kernel_nofault(j->saved, (void *)j->addr,
					       KSPLICE_JUMP_SIZE);
	if (!ret)
		ret = ksplice_map_writable(j->addr, KSPLICE_JUMP_SIZE, &j->map,
					   &j->wp);
	if (ret) {
		ksplice_abort(update, ksplice_errno_cause(ret),
			      "function '%s': cannot prepare the jump (%d)\n",
			      j->func->name, ret);
	}
	return ret;
}

/* Prepare the jump of @func of the unit of @st: the next update->jumps. */
static int prepare_jump(struct ksplice_update *update,
			const struct ksplice_unit_state *st,
			const struct ksplice_func *func)
{
	const struct ksplice_pre_sect *sect = &st->unit->pre[func->pre_sect];
	struct ksplice_jump *j = &update->jumps[update->nr_jumps];
	int ret;

	j->unit = st->unit;
	j->func = func;
	j->old = st->sect_addr[func->pre_sect];
	j->size = sect->size;
	j->addr = j->old + func->jump_offset;
	ret = check_jump_site(update, func, sect);
	if (!ret)
		ret = check_overlap(update, j);
	if (!ret)
		ret = make_jump(update, j);
	if (ret)
		return ret;
	update->nr_jumps++;
	return ksplice_add_dep(update, j->old);
}

/**
 * ksplice_check_jump() - the check of a jump site right before a write
 * @j: the jump
 * @undo: the site must hold our jump (undo), else the saved bytes
 *
 * CONTEXT: ksplice_mutex held, inside stop_machine or on a coming module.
 * RETURNS: 0, -ESTALE if the bytes changed, -EADDRINUSE for a kprobe.
 */
int ksplice_check_jump(const struct ksplice_jump *j, bool undo)
{
	if (memcmp((void *)j->addr, undo ? j->insn : j->saved,
		   KSPLICE_JUMP_SIZE))
		return -ESTALE;
	if (ksplice_kprobe_at(j->addr, KSPLICE_JUMP_SIZE))
		return -EADDRINUSE;
	return 0;
}

/**
 * ksplice_prepare_jumps() - prepare the jump of every replaced function
 * @update: the update
 * @states: its units' states after run-pre matching
 *
 * Appends the jumps of the units not skipped to update->jumps.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -errno with update->cause set; the jumps prepared so far
 * stay for ksplice_drop_jumps().
 */
int ksplice_prepare_jumps(struct ksplice_update *update,
			  const struct ksplice_unit_state *states)
{
	unsigned int u, f;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];

		if (states[u].skip)
			continue;
		for (f = 0; f < unit->nr_funcs; f++) {
			ret = prepare_jump(update, &states[u], &unit->funcs[f]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * ksplice_drop_jumps() - forget the jumps from index @from on
 * @update: the update
 * @from: the first jump to forget
 *
 * Their bytes in kernel text are not touched.
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_drop_jumps(struct ksplice_update *update, unsigned int from)
{
	unsigned int i;

	lockdep_assert_held(&ksplice_mutex);
	for (i = from; i < update->nr_jumps; i++) {
		if (update->jumps[i].map)
			vunmap(update->jumps[i].map);
		memset(&update->jumps[i], 0, sizeof(update->jumps[i]));
	}
	if (from < update->nr_jumps)
		update->nr_jumps = from;
}

/**
 * ksplice_free_jumps() - forget every jump of an update that is not applied
 * @update: the update
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_free_jumps(struct ksplice_update *update)
{
	ksplice_drop_jumps(update, 0);
}
