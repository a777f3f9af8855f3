// SPDX-License-Identifier: GPL-2.0
/*
 * Which tasks ran while the stack check was looking.  A probe on the
 * sched_switch tracepoint counts, per task, every switch that takes it off
 * or puts it on a CPU, from the moment every CPU calls the probe
 * (ksplice_watch_start()) until it is removed.  A task executes code, and
 * so changes its stack, only between being switched in and being switched
 * out: the stack check before the stop (precheck.c) reads a task's count
 * before and after scanning it, and inside stop_machine only the tasks
 * whose count moved since are scanned again (stack_check.c).
 *
 * The counts live in an open-addressing table keyed by task, filled by the
 * probe with cmpxchg and never emptied while it runs; each task in it is
 * referenced until the watch stops.  When the table is full the watch
 * says so (overflow), and the check inside stop_machine scans every task
 * as if nothing had been watched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "compat.h"
#include "internal.h"

#define WATCH_BITS	13	/* 8192 slots */
#define WATCH_SLOTS	(1U << WATCH_BITS)
#define WATCH_MAX	(WATCH_SLOTS / 4 * 3)	/* tasks before overflow */

/*
 * For tests only (tests/loader/guest/window.sh): fewer tasks before the
 * watch overflows, so that the check inside stop_machine falls back to
 * every thread.  0: WATCH_MAX.
 */
static unsigned int test_watch_max;
module_param(test_watch_max, uint, 0600);
MODULE_PARM_DESC(test_watch_max,
		 "testing only: tasks the scheduler watch holds before it overflows (0: 6144)");

/*
 * The slot of @t, taking a free one if @add.  Slots are never freed while
 * the probe runs, so a task's slot is on the path from its hash to the
 * first free slot, whoever looks.
 */
static notrace struct ksplice_ran *slot_of(struct ksplice_watch *w,
					   struct task_struct *t, bool add)
{
	unsigned int i = hash_ptr(t, WATCH_BITS), n;
	struct task_struct *cur;

	for (n = 0; n < WATCH_SLOTS; n++, i = (i + 1) & (WATCH_SLOTS - 1)) {
		struct ksplice_ran *r = &w->slots[i];

		cur = READ_ONCE(r->task);
		if (cur == t)
			return r;
		if (cur)
			continue;
		if (!add || atomic_read(&w->nr) >= w->max)
			return NULL;
		cur = cmpxchg(&r->task, NULL, t);
		if (cur == t)
			return r;
		if (cur)
			continue;	/* another task took it first */
		get_task_struct(t);
		/* Each CPU overshoots WATCH_MAX by one at most. */
		n = atomic_inc_return(&w->nr) - 1;
		if (n < WATCH_SLOTS)
			WRITE_ONCE(w->order[n], i);
		else
			WRITE_ONCE(w->overflow, true);
		return r;
	}
	return NULL;
}

static notrace void note(struct ksplice_watch *w, struct task_struct *t)
{
	struct ksplice_ran *r = slot_of(w, t, true);

	if (!r) {
		WRITE_ONCE(w->overflow, true);
		smp_mb();
		return;
	}
	atomic_long_inc(&r->switches);
	/* The count moves before anything the task then writes. */
	smp_mb__after_atomic();
}

/*
 * Called by __schedule() with the runqueue locked and interrupts off,
 * before the switch: @prev still runs until the switch is done, @next
 * has not run yet.
 */
static notrace void ksplice_sched_switch(void *data,
					 KSPLICE_SCHED_SWITCH_ARGS)
{
	struct ksplice_watch *w = data;

	note(w, prev);
	note(w, next);
}

/**
 * ksplice_watch_alloc() - room for a watch
 * @w: the watch, zeroed
 *
 * CONTEXT: Might sleep.
 * RETURNS: 0 or -ENOMEM.
 */
int ksplice_watch_alloc(struct ksplice_watch *w)
{
	w->slots = kvcalloc(WATCH_SLOTS, sizeof(*w->slots), GFP_KERNEL);
	w->order = kvcalloc(WATCH_SLOTS, sizeof(*w->order), GFP_KERNEL);
	if (w->slots && w->order)
		return 0;
	ksplice_watch_free(w);
	return -ENOMEM;
}

/**
 * ksplice_watch_free() - free what ksplice_watch_alloc() allocated
 * @w: the watch, stopped
 */
void ksplice_watch_free(struct ksplice_watch *w)
{
	kvfree(w->order);
	kvfree(w->slots);
	w->order = NULL;
	w->slots = NULL;
}

/**
 * ksplice_watch_start() - count every task's switches from now on
 * @w: the watch, allocated and empty
 *
 * Registers the probe and waits for a grace period: a switch that had
 * begun before the probe was registered has ended, with interrupts
 * disabled all along, so every switch that has not yet ended calls the
 * probe ("every CPU executes a full memory barrier between the start of
 * synchronize_rcu() and the start of any RCU read-side critical section
 * that extends beyond its return").
 *
 * CONTEXT: ksplice_mutex held; sleeps.
 * RETURNS: 0 or -errno from tracepoint_probe_register().
 */
int ksplice_watch_start(struct ksplice_watch *w)
{
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	w->max = test_watch_max ? min(test_watch_max, WATCH_MAX) : WATCH_MAX;
	ret = tracepoint_probe_register(ksplice_sched_switch_tp(),
					ksplice_sched_switch, w);
	if (ret)
		return ret;
	w->on = true;
	synchronize_rcu();
	return 0;
}

/**
 * ksplice_watch_stop() - stop counting, drop the tasks, empty the table
 * @w: the watch, started or not
 *
 * CONTEXT: ksplice_mutex held; sleeps.
 */
void ksplice_watch_stop(struct ksplice_watch *w)
{
	unsigned int i;

	lockdep_assert_held(&ksplice_mutex);
	if (w->on) {
		tracepoint_probe_unregister(ksplice_sched_switch_tp(),
					    ksplice_sched_switch, w);
		/* No probe runs any more. */
		tracepoint_synchronize_unregister();
		w->on = false;
	}
	for (i = 0; i < WATCH_SLOTS; i++)
		if (w->slots[i].task)
			put_task_struct(w->slots[i].task);
	memset(w->slots, 0, WATCH_SLOTS * sizeof(*w->slots));
	atomic_set(&w->nr, 0);
	w->overflow = false;
}

/**
 * ksplice_watch_nr() - how many tasks the watch holds
 * @w: the watch
 *
 * CONTEXT: Any.  While the probe runs, the slot of the last ones may not
 * be in w->order yet.
 * RETURNS: The number of entries of w->order in use.
 */
unsigned int ksplice_watch_nr(struct ksplice_watch *w)
{
	return min_t(unsigned int, atomic_read(&w->nr), WATCH_SLOTS);
}

/**
 * ksplice_watch_find() - a task's entry
 * @w: the watch
 * @t: the task
 *
 * CONTEXT: Any.
 * RETURNS: The entry, or NULL if @t has not been switched since the watch
 * started (or, while the probe runs, is being entered right now).
 */
struct ksplice_ran *ksplice_watch_find(struct ksplice_watch *w,
				       struct task_struct *t)
{
	return slot_of(w, t, false);
}
