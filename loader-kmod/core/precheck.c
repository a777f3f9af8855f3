// SPDX-License-Identifier: GPL-2.0
/*
 * The stack check before the machine stops, so that the stop itself does
 * not grow with the number of threads.  With the watch on the scheduler
 * running (watch.c), every thread on the task list is scanned while the
 * machine runs; a scan holds if the thread was not running when it began
 * and its switch count is the same after it as before.  The threads the
 * watch saw switched since their scan (they ran, or were running) are
 * then scanned again, a few rounds, until none is left or the rounds are
 * used up; whatever is left is scanned inside stop_machine
 * (stack_check.c).  A task created after the walk began is on neither: if
 * one was (the count of forks moved), the walk is done again, and if one
 * is created after the last walk, every thread is scanned inside
 * stop_machine.  A conflict found by a scan that holds fails the try
 * without stopping the machine.  docs/loader.md has the argument why this
 * is as safe as scanning every thread inside stop_machine.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include "compat.h"
#include "internal.h"

/* Rounds over the switched threads after the pass over all of them. */
#define PRECHECK_ROUNDS	4
/* Passes over all of them while tasks are created during the pass. */
#define PRECHECK_PASSES	2

/* @t's switch count: 0 while the watch has not seen it switched. */
static long switches(struct ksplice_watch *w, struct task_struct *t)
{
	struct ksplice_ran *r = ksplice_watch_find(w, t);

	return r ? atomic_long_read(&r->switches) : 0;
}

/*
 * Scan @t, which may be running.  The count read first is what the check
 * inside stop_machine compares with: a task not switched since then, and
 * not on a CPU inside the stop, was off every CPU since that read, and
 * this scan saw the stack its last switch saved (docs/loader.md has the
 * argument).  Whether the scan holds -- @t not on a CPU as it began, the
 * same count after it -- decides whether its conflicts count; a task that
 * ran meanwhile is scanned again.
 *
 * Returns true if the scan holds (its conflicts are kept, and the count
 * noted as checked), false if not (its conflicts are dropped).
 */
static bool precheck_task(struct ksplice_stack_check *sc,
			  struct task_struct *t)
{
	unsigned int nr_conflicts = sc->nr_conflicts;
	bool truncated = sc->truncated;
	struct ksplice_ran *r;
	long before, after;

	sc->nr_before++;
	before = switches(&sc->watch, t);
	/* The count before the state (pairs with the probe's barrier). */
	smp_rmb();
	/* Released by finish_task_switch() once the stack is saved. */
	if (t == sc->caller || smp_load_acquire(&t->on_cpu))
		return false;	/* running: its count moves before the stop */
	if (try_get_task_stack(t)) {
		ksplice_scan_task(sc, t, READ_ONCE(t->thread.sp));
		ksplice_put_task_stack(t);
	}	/* else exited: no stack, runs no more code */
	/* What the scan read, before the count. */
	smp_rmb();
	r = ksplice_watch_find(&sc->watch, t);
	after = r ? atomic_long_read(&r->switches) : 0;
	if (after == before) {
		if (r)
			r->checked = after;
		return true;
	}
	sc->nr_conflicts = nr_conflicts;
	sc->truncated = truncated;
	return false;
}

/* Every thread on the task list. */
static void precheck_all(struct ksplice_stack_check *sc)
{
	struct task_struct *p, *t;

	rcu_read_lock();
	for_each_process_thread(p, t)
		precheck_task(sc, t);
	rcu_read_unlock();
}

/*
 * The threads switched since their last scan that held; returns how many
 * are left, not counting the ones that are always checked inside the stop
 * and keep running now (the caller, idle tasks).
 */
static unsigned int precheck_switched(struct ksplice_stack_check *sc)
{
	struct ksplice_watch *w = &sc->watch;
	unsigned int i, nr = ksplice_watch_nr(w), left = 0;

	/* A task of the watch is referenced once the probe has taken it. */
	rcu_read_lock();
	for (i = 0; i < nr; i++) {
		struct ksplice_ran *r = ksplice_watch_entry(w, i);
		struct task_struct *t = READ_ONCE(r->task);

		if (!t || atomic_long_read(&r->switches) == r->checked)
			continue;
		if (!precheck_task(sc, t) && t != sc->caller &&
		    !is_idle_task(t))
			left++;
	}
	rcu_read_unlock();
	return left;
}

/**
 * ksplice_precheck_stacks() - the stack check before the stop
 * @sc: the ranges to look for, room for conflicts, the caller, and the
 *      watch, started
 *
 * Scans every thread, then the ones the watch saw run, a few rounds;
 * again if tasks were created meanwhile.  sc->forks is the count of forks
 * as the last walk over every thread began: a task it does not count was
 * on the task list for that walk.
 *
 * CONTEXT: ksplice_mutex held; the watch started.
 * RETURNS: 0, or -EBUSY with the conflicts of the scans that held.
 */
int ksplice_precheck_stacks(struct ksplice_stack_check *sc)
{
	unsigned int pass, round;

	sc->nr_before = 0;
	for (pass = 0; pass < PRECHECK_PASSES; pass++) {
		sc->forks = ksplice_forks();
		precheck_all(sc);
		for (round = 0; round < PRECHECK_ROUNDS && !sc->nr_conflicts;
		     round++)
			if (!precheck_switched(sc))
				break;
		if (sc->nr_conflicts || ksplice_forks() == sc->forks)
			break;
	}
	return sc->nr_conflicts ? -EBUSY : 0;
}
