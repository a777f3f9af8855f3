// SPDX-License-Identifier: GPL-2.0
/*
 * The stack check, run inside stop_machine: no thread may have a word on
 * its kernel stack that points into code being replaced (or, for undo,
 * into the patch module's code).  The scan is conservative: every word from
 * the saved stack pointer to the top of the stack counts, no unwinding, so
 * stale return addresses give false conflicts but never a false "safe";
 * return addresses that tracers moved off the stack count too.
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

static bool check_task(struct ksplice_stack_check *sc, struct task_struct *t)
{
	unsigned long stack, top, sp;
	int cpu;

	stack = (unsigned long)task_stack_page(t);
	if (!stack || !refcount_read(&t->stack_refcount))
		return false;	/* exited: no stack, runs no more code */
	top = stack + THREAD_SIZE;

	cpu = stopper_cpu(sc, t);
	if (cpu < 0 && READ_ONCE(t->on_cpu)) {
		/* Running on a CPU that is not in the stopper: unsafe. */
		add_conflict(sc, t, KSPLICE_CONFLICT_RUNNING, -1);
		return true;
	}
	sp = cpu >= 0 ? sc->stopper_sp[cpu] : t->thread.sp;
	if (sp < stack || sp >= top) {
		add_conflict(sc, t, KSPLICE_CONFLICT_UNRELIABLE, -1);
		return true;
	}
	/* Return addresses that tracers moved off the stack count too. */
	return scan(sc, t, sp, top) |
	       ksplice_shadow_rets(t, check_word, sc);
}

/**
 * ksplice_check_stacks() - check every thread's kernel stack
 * @sc: the ranges to look for, the stopper tasks, room for conflicts
 *
 * Every thread on the task list plus every online CPU's idle task (CPU 0's
 * is init_task, which the task list does not include either).  A thread
 * running on a CPU outside the stopper, or whose saved stack pointer is
 * outside its stack, is a conflict.
 *
 * CONTEXT: Inside stop_machine, on one CPU, the others spinning.
 * RETURNS: 0 if no thread conflicts, -EBUSY otherwise.
 */
int ksplice_check_stacks(struct ksplice_stack_check *sc)
{
	struct task_struct *p, *t;
	bool busy = false;
	unsigned int i;
	int cpu;

	sc->lo = ULONG_MAX;
	sc->hi = 0;
	for (i = 0; i < sc->nr_ranges; i++) {
		sc->lo = min(sc->lo, sc->ranges[i].start);
		sc->hi = max(sc->hi, sc->ranges[i].end);
	}
	for_each_process_thread(p, t)
		busy |= check_task(sc, t);
	for_each_online_cpu(cpu)
		busy |= check_task(sc, ksplice_idle_task(cpu));
	return busy ? -EBUSY : 0;
}
