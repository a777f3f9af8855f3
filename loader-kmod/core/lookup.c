// SPDX-License-Identifier: GPL-2.0
/*
 * Finding things in the running kernel: kallsyms candidates for the
 * symbols of an update, modules by name, idle tasks, kprobes, and the jumps
 * earlier updates wrote.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/bsearch.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "compat.h"
#include "internal.h"

/* Non-exported kernel functions, found once at module init (compat.h). */
static struct {
	ksplice_lookup_name_t lookup_name;
	ksplice_each_symbol_t each_symbol;
	ksplice_each_symbol_t each_module_symbol;
	ksplice_each_match_symbol_t each_match_symbol;	/* or NULL */
	ksplice_idle_task_t idle_task;
	ksplice_get_kprobe_t get_kprobe;
	ksplice_put_task_stack_t put_task_stack;
	ksplice_module_address_t module_address;
	struct tracepoint *sched_switch;
	rwlock_t *tasklist_lock;
	unsigned long *total_forks;
	ksplice_insn_decode_t insn_decode;	/* optional */
} kfn;

static void find_sched_switch(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		kfn.sched_switch = tp;
}

/**
 * ksplice_lookup_init() - find the non-exported kernel functions we use
 *
 * kallsyms_lookup_name is found by registering a kprobe on it (the probe
 * resolves the name); the rest through kallsyms_lookup_name, and the
 * sched_switch tracepoint (not exported) among the kernel's tracepoints.
 *
 * CONTEXT: Module init; might sleep.
 * RETURNS: 0, or -ENOENT if a function is missing.
 */
int ksplice_lookup_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot find 'kallsyms_lookup_name' (%d)\n", ret);
		return ret;
	}
	kfn.lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);

	kfn.each_symbol = (void *)kfn.lookup_name("kallsyms_on_each_symbol");
	kfn.each_module_symbol =
		(void *)kfn.lookup_name("module_kallsyms_on_each_symbol");
	kfn.each_match_symbol =
		(void *)kfn.lookup_name("kallsyms_on_each_match_symbol");
	kfn.idle_task = (void *)kfn.lookup_name("idle_task");
	kfn.get_kprobe = (void *)kfn.lookup_name("get_kprobe");
	kfn.put_task_stack = (void *)kfn.lookup_name("put_task_stack");
	kfn.tasklist_lock = (void *)kfn.lookup_name("tasklist_lock");
	kfn.total_forks = (void *)kfn.lookup_name("total_forks");
	kfn.module_address = (void *)kfn.lookup_name("__module_address");
	for_each_kernel_tracepoint(find_sched_switch, NULL);
	if (!kfn.each_symbol || !kfn.each_module_symbol || !kfn.idle_task ||
	    !kfn.get_kprobe || !kfn.put_task_stack || !kfn.sched_switch ||
	    !kfn.tasklist_lock || !kfn.total_forks || !kfn.module_address) {
		pr_err("a kernel function or variable we need is missing from kallsyms\n");
		return -ENOENT;
	}
	kfn.insn_decode = (void *)kfn.lookup_name("insn_decode");
	if (!kfn.insn_decode)
		pr_info("no 'insn_decode' in kallsyms: code whose branches the assembler sized differently will not match\n");
	return 0;
}

/**
 * ksplice_insn_decode() - decode one x86-64 instruction
 * @insn: out
 * @buf: its bytes
 * @len: bytes available at @buf
 *
 * CONTEXT: Any.
 * RETURNS: 0, -EINVAL for bytes that are no instruction, -ENOENT if the
 * kernel's decoder was not found.
 */
int ksplice_insn_decode(struct insn *insn, const u8 *buf, unsigned int len)
{
	if (!kfn.insn_decode)
		return -ENOENT;
	return kfn.insn_decode(insn, buf, min_t(unsigned int, len,
						MAX_INSN_SIZE), INSN_MODE_64);
}

/**
 * ksplice_module_address() - the module whose memory holds an address
 * @addr: an address
 *
 * CONTEXT: Preemption disabled (the module cannot be freed meanwhile).
 * RETURNS: The module, or NULL (vmlinux, or nothing).
 */
struct module *ksplice_module_address(unsigned long addr)
{
	return kfn.module_address(addr);
}

/**
 * ksplice_idle_task() - the idle task of a CPU
 * @cpu: the CPU
 *
 * CONTEXT: Any.
 * RETURNS: The task.
 */
struct task_struct *ksplice_idle_task(int cpu)
{
	return kfn.idle_task(cpu);
}

/**
 * ksplice_put_task_stack() - drop a reference try_get_task_stack() took
 * @t: the task
 *
 * CONTEXT: Any but NMI.
 */
void ksplice_put_task_stack(struct task_struct *t)
{
	kfn.put_task_stack(t);
}

/**
 * ksplice_forks() - how many tasks were ever created (total_forks)
 *
 * Read under tasklist_lock, which copy_process() holds while it puts a new
 * task on the task lists and counts it: every task the value counts is on
 * the lists for a walk that begins afterwards, and a task put there later
 * makes the count move.  Inside stop_machine nobody holds the lock (it is
 * held with preemption off), so taking it there does not wait.
 *
 * CONTEXT: Any but NMI; not holding tasklist_lock.
 * RETURNS: The count.
 */
unsigned long ksplice_forks(void)
{
	unsigned long n;

	read_lock(kfn.tasklist_lock);
	n = READ_ONCE(*kfn.total_forks);
	read_unlock(kfn.tasklist_lock);
	return n;
}

/**
 * ksplice_sched_switch_tp() - the sched_switch tracepoint
 *
 * CONTEXT: Any.
 * RETURNS: The tracepoint (found at init).
 */
struct tracepoint *ksplice_sched_switch_tp(void)
{
	return kfn.sched_switch;
}

/**
 * ksplice_kprobe_at() - whether a kprobe sits in [addr, addr + len)
 * @addr: start
 * @len: length in bytes
 *
 * CONTEXT: Any.
 * RETURNS: true if a kprobe is registered at one of the addresses.
 */
bool ksplice_kprobe_at(unsigned long addr, unsigned long len)
{
	unsigned long a;
	bool found = false;

	/* The kprobe table is an RCU list. */
	rcu_read_lock_sched();
	for (a = addr; a < addr + len && !found; a++)
		found = kfn.get_kprobe((void *)a);
	rcu_read_unlock_sched();
	return found;
}

/**
 * ksplice_update_of_addr() - the registered update whose module holds addr
 * @addr: an address
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: The update, or NULL.
 */
struct ksplice_update *ksplice_update_of_addr(unsigned long addr)
{
	struct ksplice_update *u;

	list_for_each_entry(u, &ksplice_updates, list)
		if (ksplice_within_module_core(addr, u->owner))
			return u;
	return NULL;
}

/**
 * ksplice_follow_jumps() - the newest replacement of the code at addr
 * @addr: start of a function
 *
 * If an applied update replaced the function starting at @addr, follow its
 * jump to the replacement, and so on (Ksplice's follow_trampolines).
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: The address of the newest code for the function.
 */
unsigned long ksplice_follow_jumps(unsigned long addr)
{
	struct ksplice_update *u;
	unsigned int i, depth;
	bool found;

	for (depth = 0; depth < 64; depth++) {
		found = false;
		list_for_each_entry(u, &ksplice_updates, list) {
			if (u->stage != KSPLICE_STAGE_APPLIED)
				continue;
			for (i = 0; i < u->nr_jumps; i++) {
				if (u->jumps[i].old != addr)
					continue;
				addr = (unsigned long)u->jumps[i].func->repl;
				found = true;
				break;
			}
			if (found)
				break;
		}
		if (!found)
			break;
	}
	return addr;
}

/* One wanted name: symbol @sym of unit @unit. */
struct ksplice_want {
	const char *name;
	unsigned int unit;
	unsigned int sym;
};

struct ksplice_collect {
	struct ksplice_update *update;
	struct ksplice_unit_state *states;
	struct ksplice_want *wants;	/* sorted by name */
	unsigned int nr_wants;
	struct ksplice_want *first;	/* of the name being looked up */
	int err;
};

static int cmp_want(const void *a, const void *b)
{
	const struct ksplice_want *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool is_patch_module(struct module *mod)
{
	struct ksplice_update *u;

	if (mod == THIS_MODULE)
		return true;
	list_for_each_entry(u, &ksplice_updates, list)
		if (u->owner == mod)
			return true;
	return false;
}

static bool in_target(const struct ksplice_unit *unit, struct module *mod)
{
	if (ksplice_unit_in_vmlinux(unit))
		return !mod;
	return mod && !strcmp(mod->name, unit->target);
}

static int add_cand(struct ksplice_cands *c, unsigned long addr)
{
	unsigned long *n;
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (c->addr[i] == addr)
			return 0;
	if (c->nr == c->cap) {
		n = krealloc_array(c->addr, c->cap ? 2 * c->cap : 4,
				   sizeof(*n), GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		c->addr = n;
		c->cap = c->cap ? 2 * c->cap : 4;
	}
	c->addr[c->nr++] = addr;
	return 0;
}

/* The kallsyms entry @addr in @mod (NULL: vmlinux) of @first's name. */
static int add_entry(struct ksplice_collect *col, struct ksplice_want *first,
		     struct module *mod, unsigned long addr)
{
	struct ksplice_want *w, *end = col->wants + col->nr_wants;
	bool patch = mod && is_patch_module(mod);
	struct ksplice_unit_state *st;
	struct ksplice_cands *c;

	if (patch)
		return 0;
	for (w = first; w < end && !strcmp(w->name, first->name); w++) {
		st = &col->states[w->unit];
		c = &st->cands[w->sym];
		if (!c->nr_global++)
			c->global = addr;
		if (in_target(st->unit, mod)) {
			col->err = add_cand(c, addr);
			if (col->err)
				return col->err;
		}
	}
	return 0;
}

/* A kallsyms entry of any name: the wants of that name, if any. */
static int collect_one(void *data, const char *name, struct module *mod,
		       unsigned long addr)
{
	struct ksplice_collect *col = data;
	struct ksplice_want key = { .name = name }, *w;

	w = bsearch(&key, col->wants, col->nr_wants, sizeof(*w), cmp_want);
	if (!w)
		return 0;
	while (w > col->wants && !strcmp(w[-1].name, name))
		w--;
	return add_entry(col, w, mod, addr);
}

/* A vmlinux entry with the name of col->first. */
static int collect_match(void *data, unsigned long addr)
{
	struct ksplice_collect *col = data;

	return add_entry(col, col->first, NULL, addr);
}

/*
 * The vmlinux entries of every wanted name: a binary search of kallsyms'
 * sorted index of names per name, or, on a kernel without one, a pass
 * over all of vmlinux's symbols (each one decompressed).
 */
static int collect_vmlinux(struct ksplice_collect *col)
{
	struct ksplice_want *w, *end = col->wants + col->nr_wants;
	int ret;

	if (!kfn.each_match_symbol)
		return kfn.each_symbol(collect_one, col);
	for (w = col->wants; w < end; w++) {
		if (w > col->wants && !strcmp(w[-1].name, w->name))
			continue;
		col->first = w;
		ret = kfn.each_match_symbol(collect_match, w->name, col);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ksplice_collect_candidates() - kallsyms candidates for every symbol
 * @update: the update
 * @states: one state per unit, with cands allocated and zeroed
 *
 * Fills, for every symbol of every unit, the addresses of same-named
 * symbols inside the unit's target and the count of same-named symbols
 * anywhere outside patch modules: vmlinux's by name (collect_vmlinux()),
 * then one pass over the modules' symbols.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0 or -ENOMEM.
 */
int ksplice_collect_candidates(struct ksplice_update *update,
			       struct ksplice_unit_state *states)
{
	struct ksplice_collect col = { .update = update, .states = states };
	unsigned int u, s, n = 0;
	int ret;

	for (u = 0; u < update->nr_units; u++)
		n += update->units[u]->nr_syms;
	col.wants = kvcalloc(n ? n : 1, sizeof(*col.wants), GFP_KERNEL);
	if (!col.wants)
		return -ENOMEM;
	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];

		for (s = 0; s < unit->nr_syms; s++) {
			if (unit->syms[s].flags & KSPLICE_SYM_SECTION)
				continue;
			col.wants[col.nr_wants].name = unit->syms[s].name;
			col.wants[col.nr_wants].unit = u;
			col.wants[col.nr_wants].sym = s;
			col.nr_wants++;
		}
	}
	sort(col.wants, col.nr_wants, sizeof(*col.wants), cmp_want, NULL);

	ret = collect_vmlinux(&col);
	if (!ret)
		ret = kfn.each_module_symbol(collect_one, &col);
	if (!ret)
		ret = col.err;
	kvfree(col.wants);
	return ret;
}

struct ksplice_find_mod {
	const char *name;
	bool (*ok)(struct module *mod);
	struct module *mod;
};

static int find_mod_one(void *data, const char *name, struct module *mod,
			unsigned long addr)
{
	struct ksplice_find_mod *f = data;

	if (strcmp(mod->name, f->name))
		return 0;
	if (f->ok(mod) && try_module_get(mod))
		f->mod = mod;
	return 1;
}

/**
 * ksplice_get_module() - find a loaded module by name and reference it
 * @name: module name
 * @ok: whether the module counts (called under module_mutex)
 *
 * CONTEXT: Might sleep (takes module_mutex).
 * RETURNS: The module with a reference held, or NULL.
 */
struct module *ksplice_get_module(const char *name,
				  bool (*ok)(struct module *mod))
{
	struct ksplice_find_mod f = { .name = name, .ok = ok };

	kfn.each_module_symbol(find_mod_one, &f);
	return f.mod;
}

/**
 * ksplice_module_symbol() - find a symbol of one module by name
 * @mod: a module that cannot go meanwhile (coming under our notifier, or
 *       referenced)
 * @name: the symbol, as in kallsyms
 * @addr: set to the address of the last symbol of that name
 *
 * Reads @mod's own symbol table (what kallsyms shows of it), not every
 * module's.
 *
 * CONTEXT: Any; does not sleep.
 * RETURNS: The number of defined symbols named @name in @mod.
 */
unsigned int ksplice_module_symbol(struct module *mod, const char *name,
				   unsigned long *addr)
{
	struct mod_kallsyms *ks;
	unsigned int i, nr = 0;

	preempt_disable();
	ks = rcu_dereference_sched(mod->kallsyms);
	for (i = 0; i < ks->num_symtab; i++) {
		const Elf_Sym *sym = &ks->symtab[i];

		if (sym->st_shndx == SHN_UNDEF ||
		    strcmp(ks->strtab + sym->st_name, name))
			continue;
		*addr = sym->st_value;
		nr++;
	}
	preempt_enable();
	return nr;
}
