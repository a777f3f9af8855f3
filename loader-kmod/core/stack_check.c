// SPDX-License-Identifier: GPL-2.0
/*
 * The stack check: no thread may have a word on its kernel stack that
 * points into code being replaced (or, for undo, into the patch module's
 * code).  The scan is conservative: every word from the saved stack
 * pointer to the top of the stack counts, no unwinding, so stale return
 * addresses give false conflicts but never a false "safe"; return
 * addresses that tracers moved off the stack count too.
 *
 * Every thread is scanned before the machine stops (precheck.c), with a
 * watch on the scheduler (watch.c); inside stop_machine only the threads
 * that may have run since are scanned again: the ones the watch saw
 * switched after their scan, the idle tasks, the stopper tasks and the
 * caller.  If the watch overflowed, or a task was created after the walk
 * before the stop began (it may never have run, so the watch has not seen
 * it), every thread is scanned again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include "compat.h"
#include "internal.h"

static void add_conflict(struct ksplice_stack_check *sc,
			 struct task_struct *t, unsigned long addr, int func)
{
	struct ksplice_conflict *c;
	unsigned int i;

	for (i = 0; i < sc->nr_conflicts; i++)
		if (sc->conflicts[i].pid == t->pid &&
		    sc->conflicts[i].func == func)
			return;
	if (sc->nr_conflicts == KSPLICE_MAX_CONFLICTS) {
		sc->truncated = true;
		return;
	}
	c = &sc->conflicts[sc->nr_conflicts++];
	c->pid = t->pid;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	c->comm[sizeof(c->comm) - 1] = '\0';
	c->addr = addr;
	c->func = func;
}

/* Whether @w points into a range; records a conflict if so. */
static bool check_word(void *data, struct task_struct *t, unsigned long w)
{
	struct ksplice_stack_check *sc = data;
	unsigned int i;
	bool hit = false;

	if (w < sc->lo || w >= sc->hi)
		return false;
	for (i = 0; i < sc->nr_ranges; i++) {
		if (w >= sc->ranges[i].start && w < sc->ranges[i].end) {
			add_conflict(sc, t, w, sc->ranges[i].func);
			hit = true;
		}
	}
	return hit;
}

/* Scan [from, to) word by word. Returns true on a conflict. */
static bool scan(struct ksplice_stack_check *sc, struct task_struct *t,
		 unsigned long from, unsigned long to)
{
	unsigned long p;
	bool hit = false;

	for (p = ALIGN(from, sizeof(long)); p + sizeof(long) <= to;
	     p += sizeof(long))
		hit |= check_word(sc, t, READ_ONCE_NOCHECK(*(unsigned long *)p));
	return hit;
}

static int stopper_cpu(struct ksplice_stack_check *sc, struct task_struct *t)
{
	int cpu;

	for_each_online_cpu(cpu)
		if (sc->stoppers[cpu] == t)
			return cpu;
	return -1;
}

/**
 * ksplice_stack_ranges_envelope() - compute sc->lo and sc->hi
 * @sc: the stack check, with its ranges
 */
void ksplice_stack_ranges_envelope(struct ksplice_stack_check *sc)
{
	unsigned int i;

	sc->lo = ULONG_MAX;
	sc->hi = 0;
	for (i = 0; i < sc->nr_ranges; i++) {
		sc->lo = min(sc->lo, sc->ranges[i].start);
		sc->hi = max(sc->hi, sc->ranges[i].end);
	}
}

/**
 * ksplice_scan_task() - scan a task's stack and the tracers' copies
 * @sc: the stack check; conflicts are added to it
 * @t: the task, with a stack
 * @sp: its stack pointer
 *
 * A stack pointer outside the stack is a conflict (unreliable-stack).
 *
 * CONTEXT: Inside stop_machine, or with @t's stack referenced under
 * rcu_read_lock() (see ksplice_shadow_rets()).
 * RETURNS: true on a conflict.
 */
bool ksplice_scan_task(struct ksplice_stack_check *sc, struct task_struct *t,
		       unsigned long sp)
{
	unsigned long stack = (unsigned long)task_stack_page(t);
	unsigned long top = stack + THREAD_SIZE;

	if (sp < stack || sp >= top) {
		add_conflict(sc, t, KSPLICE_CONFLICT_UNRELIABLE, -1);
		return true;
	}
	/* Return addresses that tracers moved off the stack count too. */
	return scan(sc, t, sp, top) |
	       ksplice_shadow_rets(t, check_word, sc);
}

/* One task, inside stop_machine. */
static bool check_task(struct ksplice_stack_check *sc, struct task_struct *t)
{
	unsigned long stack;
	int cpu;

	stack = (unsigned long)task_stack_page(t);
	if (!stack || !refcount_read(&t->stack_refcount))
		return false;	/* exited: no stack, runs no more code */
	sc->nr_inside++;
	cpu = stopper_cpu(sc, t);
	if (cpu < 0 && READ_ONCE(t->on_cpu)) {
		/* Running on a CPU that is not in the stopper: unsafe. */
		add_conflict(sc, t, KSPLICE_CONFLICT_RUNNING, -1);
		return true;
	}
	return ksplice_scan_task(sc, t, cpu >= 0 ? sc->stopper_sp[cpu] :
					       t->thread.sp);
}

/* Every thread on the task list and every online CPU's idle task. */
static bool check_all(struct ksplice_stack_check *sc)
{
	struct task_struct *p, *t;
	bool busy = false;
	int cpu;

	for_each_process_thread(p, t)
		busy |= check_task(sc, t);
	for_each_online_cpu(cpu)
		busy |= check_task(sc, ksplice_idle_task(cpu));
	return busy;
}

/* A task checked anyway is not checked again as a switched one. */
static bool check_always(struct ksplice_stack_check *sc,
			 struct task_struct *t)
{
	struct ksplice_ran *r = ksplice_watch_find(&sc->watch, t);

	if (r)
		r->checked = atomic_long_read(&r->switches);
	return check_task(sc, t);
}

/*
 * The tasks that may have run since the check before the stop: those
 * that can run without a switch the watch sees (each online CPU's idle
 * task, which starts a CPU coming online; the stopper tasks, which may
 * have been running already; the caller) and those the watch saw switched
 * since their last scan that held.
 */
static bool check_switched(struct ksplice_stack_check *sc)
{
	struct ksplice_watch *w = &sc->watch;
	unsigned int i, nr = ksplice_watch_nr(w);
	bool busy = false;
	int cpu;

	for_each_online_cpu(cpu) {
		busy |= check_always(sc, ksplice_idle_task(cpu));
		busy |= check_always(sc, sc->stoppers[cpu]);
	}
	busy |= check_always(sc, sc->caller);
	for (i = 0; i < nr; i++) {
		struct ksplice_ran *r = ksplice_watch_entry(w, i);

		if (atomic_long_read(&r->switches) != r->checked)
			busy |= check_task(sc, r->task);
	}
	return busy;
}

/**
 * ksplice_check_stacks() - the stack check inside stop_machine
 * @sc: the ranges to look for, the stopper tasks, room for conflicts, and
 *      the watch that ran since ksplice_precheck_stacks() passed
 *
 * The tasks that may have run since the check before the stop; every
 * task if the watch overflowed or a task was created since that check
 * began its walk over the task list.  A task running on a CPU outside the
 * stopper, or whose saved stack pointer is outside its stack, is a
 * conflict.
 *
 * CONTEXT: Inside stop_machine, on one CPU, the others spinning.
 * RETURNS: 0 if no thread conflicts, -EBUSY otherwise.
 */
int ksplice_check_stacks(struct ksplice_stack_check *sc)
{
	bool busy;

	sc->nr_inside = 0;
	if (READ_ONCE(sc->watch.overflow) || ksplice_forks() != sc->forks)
		busy = check_all(sc);
	else
		busy = check_switched(sc);
	return busy ? -EBUSY : 0;
}
