// SPDX-License-Identifier: GPL-2.0
/*
 * The working state of one apply or check, per unit (candidates, learned
 * symbol values, matched sections, late relocation values), and what it
 * yields for the stack check: the address ranges that must be off every
 * stack.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "compat.h"
#include "internal.h"

/**
 * ksplice_free_states() - free what ksplice_alloc_states() allocated
 * @update: the update
 * @states: its units' states, or NULL
 *
 * CONTEXT: Might sleep.
 */
void ksplice_free_states(struct ksplice_update *update,
			 struct ksplice_unit_state *states)
{
	unsigned int u, s;

	if (!states)
		return;
	for (u = 0; u < update->nr_units; u++) {
		if (states[u].cands)
			for (s = 0; s < update->units[u]->nr_syms; s++)
				kfree(states[u].cands[s].addr);
		kvfree(states[u].cands);
		kvfree(states[u].vals);
		kvfree(states[u].sect_addr);
		kvfree(states[u].sect_state);
		kvfree(states[u].sect_nr);
		kvfree(states[u].relocs);
	}
	kfree(states);
}

static int alloc_state(struct ksplice_unit_state *st,
		       const struct ksplice_unit *unit)
{
	unsigned int ns = unit->nr_syms ? unit->nr_syms : 1;
	unsigned int np = unit->nr_pre ? unit->nr_pre : 1;
	unsigned int nr = unit->nr_relocs ? unit->nr_relocs : 1;

	st->unit = unit;
	st->vals = kvcalloc(ns, sizeof(*st->vals), GFP_KERNEL);
	st->cands = kvcalloc(ns, sizeof(*st->cands), GFP_KERNEL);
	st->sect_addr = kvcalloc(np, sizeof(unsigned long), GFP_KERNEL);
	st->sect_state = kvcalloc(np, 1, GFP_KERNEL);
	st->sect_nr = kvcalloc(np, sizeof(*st->sect_nr), GFP_KERNEL);
	st->relocs = kvcalloc(nr, sizeof(*st->relocs), GFP_KERNEL);
	if (!st->vals || !st->cands || !st->sect_addr || !st->sect_state ||
	    !st->sect_nr || !st->relocs)
		return -ENOMEM;
	return 0;
}

/**
 * ksplice_alloc_states() - zeroed working state for every unit
 * @update: the update
 *
 * CONTEXT: Might sleep.
 * RETURNS: One state per unit (free with ksplice_free_states()), or NULL.
 */
struct ksplice_unit_state *ksplice_alloc_states(struct ksplice_update *update)
{
	struct ksplice_unit_state *states;
	unsigned int u;

	states = kcalloc(update->nr_units, sizeof(*states), GFP_KERNEL);
	if (!states)
		return NULL;
	for (u = 0; u < update->nr_units; u++) {
		if (alloc_state(&states[u], update->units[u])) {
			ksplice_free_states(update, states);
			return NULL;
		}
	}
	return states;
}

/* Range [start, start + size) for jump @func; only counted if !r. */
static void put_range(struct ksplice_range *r, unsigned int *n,
		      unsigned long start, unsigned long size, int func)
{
	if (r) {
		r[*n].start = start;
		r[*n].end = start + size;
		r[*n].func = func;
	}
	(*n)++;
}

/*
 * The matched code of jump @i's function and of its parts (foo.cold).
 * Returns 0, or -ENOENT with cause set when a part was not found in
 * memory: the stack check could not cover it.
 */
static int func_ranges(struct ksplice_update *update,
		       const struct ksplice_unit_state *st, unsigned int i,
		       struct ksplice_range *r, unsigned int *n)
{
	const struct ksplice_jump *j = &update->jumps[i];
	const struct ksplice_unit *unit = st->unit;
	unsigned int p;

	put_range(r, n, j->old, j->size, i);
	for (p = 0; p < unit->nr_pre; p++) {
		const struct ksplice_pre_sect *sect = &unit->pre[p];
		const char *name = unit->syms[sect->sym].name;

		if (!(sect->flags & KSPLICE_SECT_TEXT) ||
		    !ksplice_part_of(name, j->func->name))
			continue;
		if (!st->sect_addr[p]) {
			ksplice_abort(update, KSPLICE_CAUSE_failed_to_find,
				      "unit '%s' function '%s': its part '%s' was not found\n",
				      unit->name, j->func->name, name);
			return -ENOENT;
		}
		put_range(r, n, st->sect_addr[p], sect->size, i);
	}
	return 0;
}

/* Ranges of every function of the unit of @st; only counted if !r. */
static int unit_ranges(struct ksplice_update *update,
		       const struct ksplice_unit_state *st,
		       struct ksplice_range *r, unsigned int *n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < update->nr_jumps; i++) {
		if (update->jumps[i].unit != st->unit)
			continue;
		ret = func_ranges(update, st, i, r, n);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ksplice_stack_ranges() - what must be off every stack for apply
 * @update: the update, its jumps prepared
 * @states: its units' states after run-pre matching
 * @rangesp: out: the ranges, on the heap (free with kfree())
 * @nr: out: their number
 *
 * The matched code of every replaced function and of its parts, each
 * charged to its function.
 *
 * CONTEXT: Might sleep.
 * RETURNS: 0, or -errno with update->cause set.
 */
int ksplice_stack_ranges(struct ksplice_update *update,
			 const struct ksplice_unit_state *states,
			 struct ksplice_range **rangesp, unsigned int *nr)
{
	struct ksplice_range *r = NULL;
	unsigned int u, n;
	int ret;

	for (;;) {
		n = 0;
		for (u = 0; u < update->nr_units; u++) {
			ret = unit_ranges(update, &states[u], r, &n);
			if (ret) {
				kfree(r);
				return ret;
			}
		}
		if (r)
			break;
		r = kcalloc(n ? n : 1, sizeof(*r), GFP_KERNEL);
		if (!r) {
			ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
				      "no memory for %u stack-check ranges\n", n);
			return -ENOMEM;
		}
	}
	*rangesp = r;
	*nr = n;
	return 0;
}

/**
 * ksplice_undo_ranges() - what must be off every stack for undo
 * @update: the update, applied
 * @rangesp: out: the range, on the heap (free with kfree())
 * @nr: out: 1
 *
 * The patch module's text: the replacement code and everything it calls
 * there.
 *
 * CONTEXT: Might sleep.
 * RETURNS: 0, or -ENOMEM with update->cause set.
 */
int ksplice_undo_ranges(struct ksplice_update *update,
			struct ksplice_range **rangesp, unsigned int *nr)
{
	struct ksplice_range *r;
	unsigned long size;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory for the stack-check range\n");
		return -ENOMEM;
	}
	r->start = ksplice_module_text(update->owner, &size);
	r->end = r->start + size;
	r->func = -1;
	*rangesp = r;
	*nr = 1;
	return 0;
}
