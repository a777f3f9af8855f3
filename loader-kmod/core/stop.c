// SPDX-License-Identifier: GPL-2.0
/*
 * The stop_machine pass of apply, check and undo: with a watch on the
 * scheduler, every thread's stack is checked while the machine runs
 * (precheck.c); then every CPU parks in the callback, the first to arrive
 * checks the stacks that may have changed since, runs the jump-site
 * checks and, at the single commit point, writes the jumps (or, for undo,
 * the saved bytes; nothing for a check).  Retried while code is busy; the
 * conflicts of the last try are kept for sysfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>
#include <asm/processor.h>
#include "compat.h"
#include "internal.h"

const char *const ksplice_action_names[] = {
	[KSPLICE_ACT_APPLY] = "apply",
	[KSPLICE_ACT_UNDO] = "undo",
	[KSPLICE_ACT_CHECK] = "check",
};

/* Shared by the CPUs of one stop_machine call. */
struct ksplice_stop {
	struct ksplice_update *update;
	enum ksplice_action action;
	atomic_t arrived;
	int done;			/* master finished: others may go */
	int result;
	u64 pause_ns;
	struct ksplice_stack_check sc;
};

/*
 * For tests only (tests/loader/guest/window.sh): a window, in ms, between
 * the stack check before the stop and stop_machine, for a thread to enter
 * a replaced function in.
 */
static unsigned int test_window_ms;
module_param(test_window_ms, uint, 0600);
MODULE_PARM_DESC(test_window_ms,
		 "testing only: ms to sleep between the stack check before stop_machine and stop_machine");

/*
 * The checks of every jump site right before the writes: the bytes are
 * still the ones ksplice_prepare_jumps() saved (for undo: still our jump),
 * and no kprobe sits on them.  Returns 0, -ESTALE or -EADDRINUSE.
 */
static int check_sites(struct ksplice_stop *s)
{
	struct ksplice_update *update = s->update;
	bool undo = s->action == KSPLICE_ACT_UNDO;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < update->nr_jumps && !ret; i++)
		ret = ksplice_check_jump(&update->jumps[i], undo);
	return ret;
}

/* Writes the jumps (undo: the saved bytes) through the aliases. */
static void write_jumps(struct ksplice_stop *s)
{
	struct ksplice_update *update = s->update;
	bool undo = s->action == KSPLICE_ACT_UNDO;
	unsigned int i;

	for (i = 0; i < update->nr_jumps; i++) {
		struct ksplice_jump *j = &update->jumps[i];

		memcpy(j->wp, undo ? j->saved : j->insn, KSPLICE_JUMP_SIZE);
	}
}

/* The stop_machine callback; runs on every online CPU. */
static int stop_fn(void *data)
{
	struct ksplice_stop *s = data;
	int cpu = smp_processor_id();
	u64 t0;
	int ret;

	s->sc.stoppers[cpu] = current;
	s->sc.stopper_sp[cpu] = current_stack_pointer;
	if (atomic_inc_return(&s->arrived) != 1) {
		/* Pairs with the release below: the jumps are written. */
		while (!smp_load_acquire(&s->done))
			cpu_relax();
		sync_core();
		return 0;
	}

	/* The first CPU to arrive checks and writes. */
	t0 = ktime_get_mono_fast_ns();
	/* Acquires what the others did before: their switches, watched. */
	while (atomic_read_acquire(&s->arrived) < num_online_cpus())
		cpu_relax();

	ret = ksplice_check_stacks(&s->sc);
	if (!ret)
		ret = check_sites(s);
	/* A check has now seen all an apply would, and stops here. */
	if (!ret && s->action != KSPLICE_ACT_CHECK) {
		/*
		 * Commit point: every check has passed.  Nothing below can
		 * fail, and nothing above has written kernel text.  The
		 * patch's apply (reverse) hooks run with the old code in
		 * place: before the jumps, after the bytes are restored.
		 */
		if (s->action == KSPLICE_ACT_APPLY)
			ksplice_call_hooks(s->update, KSPLICE_HOOK_APPLY);
		write_jumps(s);
		if (s->action == KSPLICE_ACT_UNDO)
			ksplice_call_hooks(s->update, KSPLICE_HOOK_REVERSE);
	}
	s->result = ret;
	s->pause_ns = ktime_get_mono_fast_ns() - t0;
	sync_core();
	/* Publishes the writes above to the waiting CPUs. */
	smp_store_release(&s->done, 1);
	return 0;
}

/* The function a conflict is in: ours, or the symbol at its address. */
static void name_conflict(struct ksplice_update *update,
			  struct ksplice_conflict *c)
{
	char *space;

	if (c->func >= 0) {
		c->name = update->jumps[c->func].func->name;
		return;
	}
	if (c->addr == KSPLICE_CONFLICT_RUNNING ||
	    c->addr == KSPLICE_CONFLICT_UNRELIABLE)
		return;
	snprintf(c->sym, sizeof(c->sym), "%ps", (void *)c->addr);
	space = strchr(c->sym, ' ');	/* drop " [module]" */
	if (space)
		*space = '\0';
	c->name = c->sym;
}

static void print_conflicts(struct ksplice_update *update)
{
	unsigned int i;

	for (i = 0; i < update->nr_conflicts; i++) {
		struct ksplice_conflict *c = &update->conflicts[i];

		if (c->name)
			ksplice_abort_more(update, "  %d %s %s\n", c->pid,
					   c->comm, c->name);
		else
			ksplice_abort_more(update, "  %d %s %s\n", c->pid,
					   c->comm,
					   c->addr == KSPLICE_CONFLICT_RUNNING ?
					   "(running)" : "(unreliable-stack)");
	}
}

/* Moves the conflicts of the last try to the update, for sysfs. */
static void keep_conflicts(struct ksplice_update *update,
			   struct ksplice_stack_check *sc)
{
	unsigned int i;

	kfree(update->conflicts);
	update->conflicts = sc->conflicts;
	update->nr_conflicts = sc->nr_conflicts;
	update->conflicts_truncated = sc->truncated;
	sc->conflicts = NULL;
	for (i = 0; i < update->nr_conflicts; i++)
		name_conflict(update, &update->conflicts[i]);
}

/*
 * The caller's own stack is scanned too (it might be running patched code
 * itself), so stale words left by earlier, deeper calls of this thread must
 * not point into the checked ranges: clear the stack region stop_machine's
 * call chain is about to reuse.  Addresses of the ranges themselves live on
 * the heap for the same reason.
 */
static noinline void scrub_stack(void)
{
	unsigned long buf[224];

	memzero_explicit(buf, sizeof(buf));
	barrier_data(buf);
}

static void report_success(struct ksplice_update *update,
			   enum ksplice_action action,
			   const struct ksplice_stack_check *sc)
{
	const char *s = update->nr_jumps == 1 ? "" : "s";

	if (action == KSPLICE_ACT_CHECK)
		ksplice_info(update, "check passed: %u function%s can be replaced, machine stopped %llu ns, %u threads checked before, %u inside\n",
			     update->nr_jumps, s, update->pause_ns,
			     sc->nr_before, sc->nr_inside);
	else
		ksplice_info(update, "%s %u function%s, machine stopped %llu ns, %u threads checked before, %u inside\n",
			     action == KSPLICE_ACT_UNDO ? "reversed" : "applied",
			     update->nr_jumps, s, update->pause_ns,
			     sc->nr_before, sc->nr_inside);
}

/* Reports a failed pass; returns the errno for sysfs. */
static int report_failure(struct ksplice_update *update,
			  enum ksplice_action action, unsigned int tries,
			  int ret)
{
	const char *what = ksplice_action_names[action];

	if (update->cause != KSPLICE_CAUSE_none)
		return ret;	/* reported where it failed */
	switch (ret) {
	case -EBUSY:
		ksplice_abort(update, KSPLICE_CAUSE_code_busy,
			      "%s failed after %u tries; in use by:\n", what,
			      tries);
		print_conflicts(update);
		if (update->conflicts_truncated)
			ksplice_abort_more(update, "  ...\n");
		return ret;
	case -EADDRINUSE:
		ksplice_abort(update, KSPLICE_CAUSE_kprobe_conflict,
			      "a kprobe sits on a jump site (%s)\n", what);
		return -EBUSY;
	default:
		ksplice_abort(update, ksplice_errno_cause(ret),
			      "%s: bytes at a jump site changed (%d)\n", what,
			      ret);
		return ret;
	}
}

static struct ksplice_stop *alloc_stop(void)
{
	struct ksplice_stop *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->sc.stoppers = kcalloc(nr_cpu_ids, sizeof(*s->sc.stoppers),
				 GFP_KERNEL);
	s->sc.stopper_sp = kcalloc(nr_cpu_ids, sizeof(*s->sc.stopper_sp),
				   GFP_KERNEL);
	s->sc.conflicts = kcalloc(KSPLICE_MAX_CONFLICTS,
				  sizeof(*s->sc.conflicts), GFP_KERNEL);
	if (s->sc.stoppers && s->sc.stopper_sp && s->sc.conflicts &&
	    !ksplice_watch_alloc(&s->sc.watch))
		return s;
	kfree(s->sc.conflicts);
	kfree(s->sc.stopper_sp);
	kfree(s->sc.stoppers);
	kfree(s);
	return NULL;
}

static void free_stop(struct ksplice_stop *s)
{
	ksplice_watch_free(&s->sc.watch);
	kfree(s->sc.conflicts);
	kfree(s->sc.stopper_sp);
	kfree(s->sc.stoppers);
	kfree(s);
}

/* The whole stop_machine() call, timed as its caller sees it. */
static int stop(struct ksplice_stop *s)
{
	struct ksplice_update *update = s->update;
	u64 t;
	int ret;

	if (test_window_ms) {
		ksplice_info(update, "test window: %u ms before stop_machine\n",
			     test_window_ms);
		msleep(test_window_ms);
	}
	atomic_set(&s->arrived, 0);
	s->done = 0;
	s->result = 0;
	scrub_stack();
	t = ktime_get_ns();
	ret = stop_machine(stop_fn, s, cpu_online_mask);
	ksplice_phase_done(update, KSPLICE_PHASE_stop_machine, t);
	update->pause_ns = s->pause_ns;
	ksplice_phase_set(update, KSPLICE_PHASE_pause, s->pause_ns);
	return ret ? ret : s->result;
}

/*
 * One try: the watch, the stack check before the stop, and the stop
 * unless that check found a conflict.  Returns 0 or -errno (-EBUSY for a
 * conflict); other failures to watch are reported here.
 */
static int try_once(struct ksplice_stop *s)
{
	struct ksplice_update *update = s->update;
	u64 t = ktime_get_ns();
	int ret;

	s->sc.nr_conflicts = 0;
	s->sc.truncated = false;
	s->sc.nr_inside = 0;
	update->pause_ns = 0;
	ksplice_phase_forget(update, KSPLICE_PHASE_stop_machine);
	ksplice_phase_forget(update, KSPLICE_PHASE_pause);
	ret = ksplice_watch_start(&s->sc.watch);
	ksplice_phase_done(update, KSPLICE_PHASE_watch, t);
	if (ret) {
		ksplice_abort(update, ksplice_errno_cause(ret),
			      "%s: cannot watch the scheduler (%d)\n",
			      ksplice_action_names[s->action], ret);
		return ret;
	}
	t = ktime_get_ns();
	ret = ksplice_precheck_stacks(&s->sc);
	ksplice_phase_done(update, KSPLICE_PHASE_precheck, t);
	if (!ret)
		ret = stop(s);
	ksplice_watch_stop(&s->sc.watch);
	return ret;
}

/* Up to @tries tries, 1 s apart while busy. */
static int stop_tries(struct ksplice_stop *s, unsigned int tries)
{
	unsigned int try;
	int ret;

	for (try = 1; ; try++) {
		ret = try_once(s);
		if (ret != -EBUSY || try >= tries)
			return ret;
		msleep(1000);
	}
}

/**
 * ksplice_stop_machine() - the stop_machine pass, retried while busy
 * @update: the update; its jumps are prepared
 * @action: apply (write the jumps), undo (write the saved bytes back) or
 *          check (write nothing)
 * @ranges: what must be off every stack (on the heap, see scrub_stack())
 * @nr_ranges: their number
 *
 * Tries update->retries times, 1 s apart, while a thread is in the way.
 * Afterwards update->conflicts and update->pause_ns describe the last try.
 *
 * CONTEXT: ksplice_mutex held; sleeps.
 * RETURNS: 0, or -errno with update->cause set.
 */
int ksplice_stop_machine(struct ksplice_update *update,
			 enum ksplice_action action,
			 const struct ksplice_range *ranges,
			 unsigned int nr_ranges)
{
	unsigned int tries = max(update->retries, 1U);
	struct ksplice_stop *s;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	s = alloc_stop();
	if (!s) {
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "%s: no memory for the stop_machine pass\n",
			      ksplice_action_names[action]);
		return -ENOMEM;
	}
	s->update = update;
	s->action = action;
	s->sc.ranges = ranges;
	s->sc.nr_ranges = nr_ranges;
	s->sc.caller = current;
	ksplice_stack_ranges_envelope(&s->sc);

	ret = stop_tries(s, tries);
	keep_conflicts(update, &s->sc);
	if (ret)
		ret = report_failure(update, action, tries, ret);
	else
		report_success(update, action, &s->sc);
	free_stop(s);
	return ret;
}
