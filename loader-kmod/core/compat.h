/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between supported kernels, in one place: the
 * module layout, the prototypes of the non-exported functions found
 * through kallsyms, and the tracer internals the stack check reads.
 * Supported: Linux 6.1 (x86-64).
 */
#ifndef KSPLICE_COMPAT_H
#define KSPLICE_COMPAT_H

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/rethook.h>
#include <linux/sched.h>
#include <linux/version.h>
#include <asm/insn.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#error "ksplice: module layout changed in 6.4 (mod->mem[]); not supported yet"
#endif

/*
 * The stack check reads kretprobes' saved return addresses from rethook
 * nodes (ksplice_shadow_rets()); the older per-task
 * kretprobe_instances list is not read, so refuse to build rather than
 * miss them.
 */
#if defined(CONFIG_KRETPROBES) && !defined(CONFIG_KRETPROBE_ON_RETHOOK)
#error "ksplice: kretprobes without rethook are not supported"
#endif

/* The patch module's core (non-init) text. */
static inline unsigned long ksplice_module_text(struct module *mod,
						unsigned long *size)
{
	*size = mod->core_layout.text_size;
	return (unsigned long)mod->core_layout.base;
}

static inline bool ksplice_within_module_core(unsigned long addr,
					      struct module *mod)
{
	return within_module_core(addr, mod);
}

/* Core or init area: a module's text while it is coming. */
static inline bool ksplice_within_module(unsigned long addr,
					 struct module *mod)
{
	return within_module(addr, mod);
}

/*
 * Non-exported functions, found by name at module init (lookup.c).  The
 * callback of kallsyms_on_each_symbol() and module_kallsyms_on_each_symbol()
 * gets the module (NULL for vmlinux); later kernels drop it from the
 * former and add a module name argument to the latter.
 */
typedef int (*ksplice_each_sym_fn)(void *data, const char *name,
				   struct module *mod, unsigned long addr);
typedef unsigned long (*ksplice_lookup_name_t)(const char *name);
typedef int (*ksplice_each_symbol_t)(ksplice_each_sym_fn fn, void *data);
/*
 * Every vmlinux symbol of one name, by a binary search of kallsyms' index
 * of names (6.2, and 6.1 stable releases since it was backported); absent
 * from older 6.1 kernels, which then get one pass over all symbols.
 */
typedef int (*ksplice_each_match_symbol_t)(int (*fn)(void *data,
						     unsigned long addr),
					   const char *name, void *data);
typedef struct task_struct *(*ksplice_idle_task_t)(int cpu);
typedef struct kprobe *(*ksplice_get_kprobe_t)(void *addr);
typedef void (*ksplice_put_task_stack_t)(struct task_struct *t);
/* __module_address(), not exported in 6.1; call with preemption off. */
typedef struct module *(*ksplice_module_address_t)(unsigned long addr);

/*
 * The arguments of a probe on the sched_switch tracepoint after its data
 * (TP_PROTO in include/trace/events/sched.h).
 */
#define KSPLICE_SCHED_SWITCH_ARGS					\
	bool preempt, struct task_struct *prev, struct task_struct *next, \
	unsigned int prev_state

/* The x86 instruction decoder (arch/x86/lib/insn.c, not exported). */
typedef int (*ksplice_insn_decode_t)(struct insn *insn, const void *kaddr,
				     int buf_len, enum insn_mode m);

/* Called with each return address a tracer keeps off a task's stack. */
typedef bool (*ksplice_ret_fn)(void *data, struct task_struct *t,
			       unsigned long ret);

/* The function graph tracer's copies (t->ret_stack, 6.1 layout). */
static inline bool ksplice_graph_rets(struct task_struct *t,
				      ksplice_ret_fn fn, void *data)
{
	bool hit = false;
#ifdef CONFIG_FUNCTION_GRAPH_TRACER
	struct ftrace_ret_stack *rs = READ_ONCE(t->ret_stack);
	int j, n = READ_ONCE(t->curr_ret_stack);

	for (j = 0; rs && j <= n && j < FTRACE_RETFUNC_DEPTH; j++)
		hit |= fn(data, t, rs[j].ret);
#endif
	return hit;
}

/* Kretprobes' copies (rethook nodes on t->rethooks). */
static inline bool ksplice_rethook_rets(struct task_struct *t,
					ksplice_ret_fn fn, void *data)
{
	bool hit = false;
#ifdef CONFIG_RETHOOK
	struct llist_node *node;
	unsigned int n = 0;

	/*
	 * A task has no more nodes than its stack has words (one per
	 * return address); the bound ends a walk that races with the task.
	 */
	for (node = READ_ONCE(t->rethooks.first);
	     node && n < THREAD_SIZE / sizeof(long);
	     node = READ_ONCE(node->next), n++)
		hit |= fn(data, t, container_of(node, struct rethook_node,
						llist)->ret_addr);
#endif
	return hit;
}

/**
 * ksplice_shadow_rets() - return addresses kept off a task's stack
 * @t: the task
 * @fn: called with each
 * @data: passed to @fn
 *
 * The function graph tracer and kretprobes (rethook) replace a return
 * address on the stack with their trampoline and keep the real one aside.
 * Only the task itself pushes and pops them.  Read from a task that may be
 * running (the check before the stop), the walk ends but what it returns
 * means nothing.
 *
 * CONTEXT: Inside stop_machine, or under rcu_read_lock() with @t
 * referenced (rethook nodes are freed after a grace period).
 * RETURNS: true if @fn returned true for one of them.
 */
static inline bool ksplice_shadow_rets(struct task_struct *t,
					       ksplice_ret_fn fn, void *data)
{
	return ksplice_graph_rets(t, fn, data) |
	       ksplice_rethook_rets(t, fn, data);
}

#endif /* KSPLICE_COMPAT_H */
