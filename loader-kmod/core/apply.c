// SPDX-License-Identifier: GPL-2.0
/*
 * Apply, check and undo, as a sequence of steps: find and check everything
 * first (targets, candidates, run-pre matching, jumps, late relocations,
 * stack ranges), then the patch's pre hooks (hooks.c), then the
 * stop_machine pass (stop.c) with the stack check and, past the commit
 * point, the writes, then the post hooks.  A failed step leaves nothing
 * prepared and the kernel's text unchanged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "compat.h"
#include "internal.h"

/* Forgets what prepare() found: jumps, references, dependencies. */
static void unprepare(struct ksplice_update *update)
{
	ksplice_free_jumps(update);
	ksplice_put_targets(update);
	kfree(update->deps);
	update->deps = NULL;
	update->nr_deps = 0;
}

/**
 * ksplice_prepare_states() - run-pre matching and what follows from it
 * @update: the update
 * @states: fresh unit states; units marked skip are left alone
 * @write: write the late relocations (apply, a module loading)
 * @rangesp: out: the ranges for the stack check, or NULL for none
 * @nr_ranges: out: their number
 *
 * Candidates, run-pre matching, dependencies, jumps (appended to
 * update->jumps), late relocations, stack ranges.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -errno with update->cause set; the jumps prepared so far
 * stay.
 */
int ksplice_prepare_states(struct ksplice_update *update,
			   struct ksplice_unit_state *states, bool write,
			   struct ksplice_range **rangesp,
			   unsigned int *nr_ranges)
{
	u64 t = ktime_get_ns();
	int ret;

	ret = ksplice_collect_candidates(update, states);
	ksplice_phase_done(update, KSPLICE_PHASE_kallsyms, t);
	if (ret) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory for the kallsyms candidates\n");
		return ret;
	}
	t = ktime_get_ns();
	ret = ksplice_run_pre(update, states);
	ksplice_phase_done(update, KSPLICE_PHASE_runpre, t);
	if (ret)
		return ret;
	t = ktime_get_ns();
	ret = ksplice_runpre_deps(update, states);
	if (!ret)
		ret = ksplice_prepare_jumps(update, states);
	ksplice_phase_done(update, KSPLICE_PHASE_jumps, t);
	if (ret)
		return ret;
	t = ktime_get_ns();
	ret = ksplice_late_relocs(update, states, write);
	ksplice_phase_done(update, KSPLICE_PHASE_relocs, t);
	if (ret || !rangesp)
		return ret;
	return ksplice_stack_ranges(update, states, rangesp, nr_ranges);
}

/*
 * Everything before stopping the machine: targets (the loaded ones
 * referenced, the others left out), run-pre matching, jump sites, late
 * relocations (written only with @write), and the ranges for the stack
 * check.  On failure nothing is left prepared.
 */
static int prepare(struct ksplice_update *update, bool write,
		   struct ksplice_range **rangesp, unsigned int *nr_ranges)
{
	struct ksplice_unit_state *states;
	u64 t;
	int ret;

	unprepare(update);
	t = ktime_get_ns();
	ret = ksplice_get_targets(update, true);
	ksplice_phase_done(update, KSPLICE_PHASE_targets, t);
	if (ret)
		return ret;
	states = ksplice_alloc_states(update);
	if (!states) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "no memory for the matching state\n");
		ret = -ENOMEM;
	} else {
		ksplice_mark_skip(update, states, NULL);
		ret = ksplice_prepare_states(update, states, write, rangesp,
					     nr_ranges);
		ksplice_free_states(update, states);
	}
	if (ret)
		unprepare(update);
	return ret;
}

/* The stop_machine pass holding the patch module, which an apply keeps. */
static int stop_holding(struct ksplice_update *update,
			enum ksplice_action action,
			const struct ksplice_range *ranges,
			unsigned int nr_ranges)
{
	int ret;

	if (!try_module_get(update->owner)) {
		ksplice_abort(update, KSPLICE_CAUSE_bad_state,
			      "the patch module is going away\n");
		return -EINVAL;
	}
	ret = ksplice_stop_machine(update, action, ranges, nr_ranges);
	if (ret || action == KSPLICE_ACT_CHECK)
		module_put(update->owner);
	return ret;
}

/*
 * The pre_apply hooks, then the pass (which calls the apply hooks at the
 * commit point); the fail_apply hooks if the pass fails.
 */
static int apply_hooked(struct ksplice_update *update,
			const struct ksplice_range *ranges,
			unsigned int nr_ranges)
{
	int ret;

	ret = ksplice_pre_hooks(update, false);
	if (ret)
		return ret;
	ret = stop_holding(update, KSPLICE_ACT_APPLY, ranges, nr_ranges);
	if (ret)
		ksplice_call_hooks(update, KSPLICE_HOOK_FAIL_APPLY);
	return ret;
}

/*
 * Apply, or check as apply would; the stage changes only on apply.  A
 * check calls no hook: its late relocations, which hook code may use, are
 * not written.
 */
static int apply_or_check(struct ksplice_update *update,
			  enum ksplice_action action)
{
	bool check = action == KSPLICE_ACT_CHECK;
	struct ksplice_range *ranges;
	unsigned int nr_ranges;
	u64 start = ktime_get_ns();
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	ksplice_report_begin(update, true);
	if (update->stage == KSPLICE_STAGE_APPLIED) {
		ksplice_abort(update, KSPLICE_CAUSE_bad_state,
			      "%s: the update is already applied\n",
			      ksplice_action_names[action]);
		return -EINVAL;
	}
	ret = prepare(update, !check, &ranges, &nr_ranges);
	if (ret)
		goto out;
	if (check)
		ret = stop_holding(update, action, ranges, nr_ranges);
	else
		ret = apply_hooked(update, ranges, nr_ranges);
	kfree(ranges);
	if (ret || check) {
		unprepare(update);
		goto out;
	}
	update->stage = KSPLICE_STAGE_APPLIED;
	ksplice_targets_applied(update);
	ksplice_call_hooks(update, KSPLICE_HOOK_POST_APPLY);
out:
	ksplice_phase_done(update, KSPLICE_PHASE_total, start);
	return ret;
}

/**
 * ksplice_apply() - apply an update
 * @update: the update, loaded or reversed
 *
 * Finds and checks everything first (targets, run-pre matching, jump
 * sites, late relocations, which are written into the not yet reachable
 * new code), then stops the machine to check stacks and write the jumps.
 *
 * CONTEXT: ksplice_mutex held; sleeps.
 * RETURNS: 0, or -errno with update->cause set.
 */
int ksplice_apply(struct ksplice_update *update)
{
	return apply_or_check(update, KSPLICE_ACT_APPLY);
}

/**
 * ksplice_check() - check that an update would apply, changing nothing
 * @update: the update, loaded or reversed
 *
 * Does what ksplice_apply() does -- run-pre matching, symbol resolution,
 * jump-site checks, stop_machine with the stack check and the pre-write
 * checks, retried while busy -- but writes neither relocations nor jumps,
 * and then forgets what it found (jumps, target references), so the stage
 * stays and a later apply starts afresh.  cause, conflicts and pause_ns
 * report the result as for an apply.
 *
 * CONTEXT: ksplice_mutex held; sleeps.
 * RETURNS: 0 if the update would apply now, or -errno with update->cause
 * set (-EINVAL with bad_state for an applied update).
 */
int ksplice_check(struct ksplice_update *update)
{
	return apply_or_check(update, KSPLICE_ACT_CHECK);
}

/* The applied update that builds on @update's code, or NULL. */
static struct ksplice_update *dependent(struct ksplice_update *update)
{
	struct ksplice_update *u;
	unsigned int i;

	list_for_each_entry(u, &ksplice_updates, list) {
		if (u == update || u->stage != KSPLICE_STAGE_APPLIED)
			continue;
		for (i = 0; i < u->nr_deps; i++)
			if (u->deps[i] == update)
				return u;
	}
	return NULL;
}

/**
 * ksplice_undo() - undo an applied update
 * @update: the update
 *
 * Refused while a later update builds on this one's code.  Inside
 * stop_machine: no stack may point into the patch module's text, and the
 * jumps must still be ours; then the saved bytes are restored.
 *
 * CONTEXT: ksplice_mutex held; sleeps.
 * RETURNS: 0, or -errno with update->cause set.
 */
int ksplice_undo(struct ksplice_update *update)
{
	struct ksplice_range *ranges;
	struct ksplice_update *u;
	unsigned int nr_ranges;
	u64 start = ktime_get_ns();
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	ksplice_report_begin(update, false);
	if (update->stage != KSPLICE_STAGE_APPLIED) {
		ksplice_abort(update, KSPLICE_CAUSE_bad_state,
			      "undo: the update is not applied\n");
		return -EINVAL;
	}
	u = dependent(update);
	if (u) {
		ksplice_abort(update, KSPLICE_CAUSE_dependent_update,
			      "'%s' builds on this update; undo it first\n",
			      u->id);
		return -EBUSY;
	}
	ret = ksplice_get_targets(update, false);
	if (!ret)
		ret = ksplice_undo_ranges(update, &ranges, &nr_ranges);
	if (ret) {
		ksplice_put_targets(update);
		return ret;
	}
	ret = ksplice_pre_hooks(update, true);
	if (!ret) {
		ret = ksplice_stop_machine(update, KSPLICE_ACT_UNDO, ranges,
					   nr_ranges);
		if (ret)
			ksplice_call_hooks(update, KSPLICE_HOOK_FAIL_REVERSE);
	}
	kfree(ranges);
	if (ret) {
		ksplice_put_targets(update);
		goto out;
	}
	update->stage = KSPLICE_STAGE_REVERSED;
	ksplice_targets_reversed(update);
	ksplice_call_hooks(update, KSPLICE_HOOK_POST_REVERSE);
	unprepare(update);
	module_put(update->owner);
out:
	ksplice_phase_done(update, KSPLICE_PHASE_total, start);
	return ret;
}
