// SPDX-License-Identifier: GPL-2.0
/*
 * Apply, check and undo: run-pre matching, late relocations, then
 * stop_machine with the stack check and the jump writes (none for a check),
 * retried while code is busy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/processor.h>
#include "compat.h"
#include "internal.h"

/* What a stop_machine pass is for. */
enum ksplice_action {
	KSPLICE_ACT_APPLY,	/* check, then write the jumps */
	KSPLICE_ACT_UNDO,	/* check, then restore the saved bytes */
	KSPLICE_ACT_CHECK,	/* check exactly as apply does, write nothing */
};

static const char *const action_names[] = {
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
	unsigned int nr_threads;
	struct ksplice_stack_check sc;
};

static unsigned int count_threads(void)
{
	struct task_struct *p, *t;
	unsigned int n = 0;

	for_each_process_thread(p, t)
		n++;
	return n + num_online_cpus();
}

/*
 * The checks of every jump site right before the writes: the bytes are
 * still the ones prepare_jumps() saved (for undo: still our jump), and no
 * kprobe sits on them.  Returns 0, -ESTALE or -EADDRINUSE.
 */
static int check_sites(struct ksplice_stop *s)
{
	struct ksplice_update *update = s->update;
	bool undo = s->action == KSPLICE_ACT_UNDO;
	unsigned int i;

	for (i = 0; i < update->nr_jumps; i++) {
		struct ksplice_jump *j = &update->jumps[i];

		if (memcmp((void *)j->addr, undo ? j->insn : j->saved,
			   KSPLICE_JUMP_SIZE))
			return -ESTALE;
		if (ksplice_kprobe_at(j->addr, KSPLICE_JUMP_SIZE))
			return -EADDRINUSE;
	}
	return 0;
}

/* The stop_machine callback; runs on every online CPU. */
static int stop_fn(void *data)
{
	struct ksplice_stop *s = data;
	struct ksplice_update *update = s->update;
	bool undo = s->action == KSPLICE_ACT_UNDO;
	int cpu = smp_processor_id();
	unsigned int i;
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
	while (atomic_read(&s->arrived) < num_online_cpus())
		cpu_relax();

	ret = ksplice_check_stacks(&s->sc);
	if (!ret)
		ret = check_sites(s);
	/* A check has now seen all an apply would, and stops here. */
	if (!ret && s->action != KSPLICE_ACT_CHECK) {
		/*
		 * Commit point: every check has passed.  Nothing below can
		 * fail, and nothing above has written kernel text.
		 */
		for (i = 0; i < update->nr_jumps; i++) {
			struct ksplice_jump *j = &update->jumps[i];

			memcpy(j->wp, undo ? j->saved : j->insn,
			       KSPLICE_JUMP_SIZE);
		}
	}
	s->result = ret;
	s->pause_ns = ktime_get_mono_fast_ns() - t0;
	s->nr_threads = count_threads();
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
			ksplice_err(update, "  %d %s %s\n", c->pid, c->comm,
				    c->name);
		else
			ksplice_err(update, "  %d %s %s\n", c->pid, c->comm,
				    c->addr == KSPLICE_CONFLICT_RUNNING ?
				    "(running)" : "(unreliable-stack)");
	}
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
			   enum ksplice_action action, unsigned int nr_threads)
{
	const char *s = update->nr_jumps == 1 ? "" : "s";

	if (action == KSPLICE_ACT_CHECK)
		ksplice_info(update, "check passed: %u function%s can be replaced, machine stopped %llu ns, %u threads checked\n",
			     update->nr_jumps, s, update->pause_ns, nr_threads);
	else
		ksplice_info(update, "%s %u function%s, machine stopped %llu ns, %u threads checked\n",
			     action == KSPLICE_ACT_UNDO ? "reversed" : "applied",
			     update->nr_jumps, s, update->pause_ns, nr_threads);
}

/* Sets update->cause from a failed pass; returns the errno for sysfs. */
static int report_failure(struct ksplice_update *update,
			  enum ksplice_action action, unsigned int tries,
			  int ret)
{
	const char *what = action_names[action];

	switch (ret) {
	case -EBUSY:
		update->cause = KSPLICE_CAUSE_code_busy;
		ksplice_err(update, "code_busy: %s failed after %u tries; in use by:\n",
			    what, tries);
		print_conflicts(update);
		return ret;
	case -EADDRINUSE:
		update->cause = KSPLICE_CAUSE_kprobe_conflict;
		ksplice_err(update, "kprobe_conflict: a kprobe sits on a jump site (%s)\n",
			    what);
		return -EBUSY;
	default:
		update->cause = KSPLICE_CAUSE_unexpected;
		ksplice_err(update, "unexpected: %s: bytes at a jump site changed (%d)\n",
			    what, ret);
		return ret;
	}
}

/*
 * stop_machine with retries; writes the jumps (or the saved bytes) unless
 * @action is a check.  Returns 0 or -errno with cause set.
 */
static int stop_and_write(struct ksplice_update *update,
			  enum ksplice_action action,
			  const struct ksplice_range *ranges,
			  unsigned int nr_ranges)
{
	struct ksplice_stop *s;
	unsigned int i, try, tries = max(update->retries, 1U);
	int ret = -ENOMEM;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		goto out_oom;
	s->sc.stoppers = kcalloc(nr_cpu_ids, sizeof(*s->sc.stoppers),
				 GFP_KERNEL);
	s->sc.stopper_sp = kcalloc(nr_cpu_ids, sizeof(*s->sc.stopper_sp),
				   GFP_KERNEL);
	s->sc.conflicts = kcalloc(KSPLICE_MAX_CONFLICTS,
				  sizeof(*s->sc.conflicts), GFP_KERNEL);
	if (!s->sc.stoppers || !s->sc.stopper_sp || !s->sc.conflicts)
		goto out_free;
	s->update = update;
	s->action = action;
	s->sc.ranges = ranges;
	s->sc.nr_ranges = nr_ranges;

	for (try = 1; ; try++) {
		atomic_set(&s->arrived, 0);
		s->done = 0;
		s->result = 0;
		s->sc.nr_conflicts = 0;
		s->sc.truncated = false;
		scrub_stack();
		ret = stop_machine(stop_fn, s, cpu_online_mask);
		if (!ret)
			ret = s->result;
		update->pause_ns = s->pause_ns;
		if (ret != -EBUSY || try >= tries)
			break;
		msleep(1000);
	}

	kfree(update->conflicts);
	update->conflicts = s->sc.conflicts;
	update->nr_conflicts = s->sc.nr_conflicts;
	update->conflicts_truncated = s->sc.truncated;
	s->sc.conflicts = NULL;
	for (i = 0; i < update->nr_conflicts; i++)
		name_conflict(update, &update->conflicts[i]);

	if (ret)
		ret = report_failure(update, action, tries, ret);
	else
		report_success(update, action, s->nr_threads);
out_free:
	kfree(s->sc.conflicts);
	kfree(s->sc.stopper_sp);
	kfree(s->sc.stoppers);
	kfree(s);
	if (ret != -ENOMEM)
		return ret;
out_oom:
	update->cause = KSPLICE_CAUSE_out_of_memory;
	return -ENOMEM;
}

/**
 * ksplice_free_jumps() - forget the jumps of an update that is not applied
 * @update: the update
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_free_jumps(struct ksplice_update *update)
{
	unsigned int i;

	for (i = 0; i < update->nr_jumps; i++)
		if (update->jumps[i].map)
			vunmap(update->jumps[i].map);
	kfree(update->jumps);
	update->jumps = NULL;
	update->nr_jumps = 0;
}

static void put_targets(struct ksplice_update *update)
{
	unsigned int i;

	for (i = 0; i < update->nr_targets; i++)
		module_put(update->targets[i]);
	kfree(update->targets);
	update->targets = NULL;
	update->nr_targets = 0;
}

static int get_targets(struct ksplice_update *update)
{
	unsigned int u, i;

	update->targets = kcalloc(update->nr_units, sizeof(*update->targets),
				  GFP_KERNEL);
	if (!update->targets) {
		update->cause = KSPLICE_CAUSE_out_of_memory;
		return -ENOMEM;
	}
	for (u = 0; u < update->nr_units; u++) {
		const char *target = update->units[u]->target;
		struct module *mod;
		bool dup = false;

		if (!strcmp(target, "vmlinux"))
			continue;
		for (i = 0; i < update->nr_targets; i++)
			if (!strcmp(update->targets[i]->name, target))
				dup = true;
		if (dup)
			continue;
		mod = ksplice_get_module(target);
		if (!mod) {
			ksplice_err(update, "target_not_loaded: module '%s'\n",
				    target);
			update->cause = KSPLICE_CAUSE_target_not_loaded;
			put_targets(update);
			return -ENODEV;
		}
		update->targets[update->nr_targets++] = mod;
	}
	return 0;
}

/*
 * If @addr lies in another update's patch module, this update builds on
 * that one's code: remember it, so that update cannot be undone first.
 * Returns 0 or -ENOMEM with cause set (a lost dependency would let the
 * other update be undone under this one).
 */
static int add_dep(struct ksplice_update *update, unsigned long addr)
{
	struct ksplice_update *u = ksplice_update_of_addr(addr);
	struct ksplice_update **n;
	unsigned int i;

	if (!u || u == update)
		return 0;
	for (i = 0; i < update->nr_deps; i++)
		if (update->deps[i] == u)
			return 0;
	n = krealloc_array(update->deps, update->nr_deps + 1, sizeof(*n),
			   GFP_KERNEL);
	if (!n) {
		update->cause = KSPLICE_CAUSE_out_of_memory;
		return -ENOMEM;
	}
	update->deps = n;
	update->deps[update->nr_deps++] = u;
	return 0;
}

/*
 * Dependencies from run-pre matching: a pre section matched inside another
 * update's patch module (its jump was followed to its replacement code), or
 * a symbol value learned from matched code that lies in one.
 */
static int runpre_deps(struct ksplice_update *update,
		       const struct ksplice_unit_state *states)
{
	unsigned int u, i;
	int ret = 0;

	for (u = 0; u < update->nr_units && !ret; u++) {
		const struct ksplice_unit_state *st = &states[u];

		for (i = 0; i < st->unit->nr_pre && !ret; i++)
			if (st->sect_addr[i])
				ret = add_dep(update, st->sect_addr[i]);
		for (i = 0; i < st->unit->nr_syms && !ret; i++)
			if (st->vals[i].resolved && st->vals[i].by_runpre)
				ret = add_dep(update, st->vals[i].value);
	}
	return ret;
}

static int prepare_jumps(struct ksplice_update *update,
			 struct ksplice_unit_state *states)
{
	unsigned int u, f, i, n = 0;
	int ret;

	for (u = 0; u < update->nr_units; u++)
		n += update->units[u]->nr_funcs;
	update->jumps = kcalloc(n ? n : 1, sizeof(*update->jumps), GFP_KERNEL);
	if (!update->jumps) {
		update->cause = KSPLICE_CAUSE_out_of_memory;
		return -ENOMEM;
	}
	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];

		for (f = 0; f < unit->nr_funcs; f++) {
			const struct ksplice_func *func = &unit->funcs[f];
			const struct ksplice_pre_sect *sect =
				&unit->pre[func->pre_sect];
			struct ksplice_jump *j = &update->jumps[update->nr_jumps];
			u32 end = func->jump_offset + KSPLICE_JUMP_SIZE;

			j->unit = unit;
			j->func = func;
			j->old = states[u].sect_addr[func->pre_sect];
			j->size = sect->size;
			j->addr = j->old + func->jump_offset;
			if (end > sect->size ||
			    !ksplice_within_module_core((unsigned long)func->repl,
							update->owner)) {
				ksplice_err(update, "bad_package: function '%s': bad jump offset or replacement\n",
					    func->name);
				update->cause = KSPLICE_CAUSE_bad_package;
				return -EINVAL;
			}
			for (i = 0; i < sect->nr_sites; i++) {
				const struct ksplice_site *site = &sect->sites[i];
				u32 len = ksplice_site_len(site,
							   sect->data + site->offset,
							   sect->size - site->offset);

				if (!len || !ksplice_site_rewritable(site) ||
				    site->offset >= end ||
				    site->offset + len <= func->jump_offset)
					continue;
				ksplice_err(update, "kprobe_conflict: function '%s': a run-time patched site (kind %u) at offset 0x%x overlaps the jump\n",
					    func->name, site->kind, site->offset);
				update->cause = KSPLICE_CAUSE_kprobe_conflict;
				return -EBUSY;
			}
			for (i = 0; i < update->nr_jumps; i++) {
				if (update->jumps[i].addr + KSPLICE_JUMP_SIZE >
				    j->addr &&
				    j->addr + KSPLICE_JUMP_SIZE >
				    update->jumps[i].addr) {
					ksplice_err(update, "bad_package: function '%s' replaced twice\n",
						    func->name);
					update->cause = KSPLICE_CAUSE_bad_package;
					return -EINVAL;
				}
			}
			ret = ksplice_make_jump(j->addr, (unsigned long)func->repl,
						j->insn);
			if (!ret)
				ret = copy_from_kernel_nofault(j->saved,
							       (void *)j->addr,
							       KSPLICE_JUMP_SIZE);
			if (!ret)
				ret = ksplice_map_writable(j->addr,
							   KSPLICE_JUMP_SIZE,
							   &j->map, &j->wp);
			if (ret) {
				ksplice_err(update, "unexpected: function '%s': cannot prepare the jump (%d)\n",
					    func->name, ret);
				update->cause = ret == -ENOMEM ?
					KSPLICE_CAUSE_out_of_memory :
					KSPLICE_CAUSE_unexpected;
				return ret;
			}
			update->nr_jumps++;
			ret = add_dep(update, j->old);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int reloc_width(u16 type)
{
	return type == KSPLICE_R_64 || type == KSPLICE_R_PC64 ? 8 :
	       type == KSPLICE_R_NONE ? 0 : 4;
}

/* The value of a late relocation's symbol, or -ENOENT. */
static int late_symbol(struct ksplice_update *update,
		       struct ksplice_unit_state *st, u32 sym,
		       unsigned long *value)
{
	const struct ksplice_symbol *s = &st->unit->syms[sym];
	const struct ksplice_cands *c = &st->cands[sym];

	if (st->vals[sym].resolved) {
		*value = st->vals[sym].value;
		return 0;
	}
	if (!(s->flags & (KSPLICE_SYM_LOCAL | KSPLICE_SYM_SECTION)) &&
	    c->nr_global == 1) {
		*value = c->global;
		return 0;
	}
	if ((s->flags & KSPLICE_SYM_LOCAL) && c->nr == 1) {
		*value = c->addr[0];
		return 0;
	}
	ksplice_err(update, "failed_to_find: unit '%s' symbol '%s': %s\n",
		    st->unit->name, s->name,
		    c->nr_global ? "ambiguous" : "not found");
	update->cause = KSPLICE_CAUSE_failed_to_find;
	return -ENOENT;
}

static int write_field(unsigned long where, const void *val, int width)
{
	void *map;
	u8 *wp;
	int ret;

	ret = ksplice_map_writable(where, width, &map, &wp);
	if (ret)
		return ret;
	memcpy(wp, val, width);
	vunmap(map);
	return memcmp((void *)where, val, width) ? -EIO : 0;
}

/*
 * The value late relocation @i of a unit gets, after checking that it is
 * well-formed, its field holds the canary or the value we wrote earlier
 * (@written), and the value fits.  Returns 0 or -errno with cause set.
 */
static int reloc_value(struct ksplice_update *update,
		       struct ksplice_unit_state *st, unsigned int i,
		       const u64 *written, u64 *value)
{
	const struct ksplice_unit *unit = st->unit;
	const struct ksplice_reloc *r = &unit->relocs[i];
	unsigned long where = (unsigned long)r->where, s;
	int width = reloc_width(r->type);
	u64 cur = 0, canary, v;
	int ret;

	if (r->sym >= unit->nr_syms || r->type > KSPLICE_R_PC64 || !width ||
	    !ksplice_within_module_core(where, update->owner) ||
	    !ksplice_within_module_core(where + width - 1, update->owner))
		goto out_bad;
	ret = late_symbol(update, st, r->sym, &s);
	if (ret)
		return ret;
	memcpy(&cur, (void *)where, width);
	canary = width == 8 ? KSPLICE_CANARY : (u32)KSPLICE_CANARY;
	if (cur != canary && (!written[i] || cur != written[i]))
		goto out_bad;
	v = s + r->addend;
	if (r->type == KSPLICE_R_PC32 || r->type == KSPLICE_R_PC64)
		v -= where;
	if ((r->type == KSPLICE_R_PC32 || r->type == KSPLICE_R_32S) &&
	    (s64)v != (s32)v)
		goto out_overflow;
	if (r->type == KSPLICE_R_32 && v != (u32)v)
		goto out_overflow;
	*value = width == 4 ? (u32)v : v;
	return add_dep(update, s);

out_overflow:
	ksplice_err(update, "bad_package: unit '%s' relocation %u to '%s' overflows\n",
		    unit->name, i, unit->syms[r->sym].name);
	update->cause = KSPLICE_CAUSE_bad_package;
	return -ERANGE;
out_bad:
	ksplice_err(update, "bad_package: unit '%s' relocation %u is malformed or lost its canary\n",
		    unit->name, i);
	update->cause = KSPLICE_CAUSE_bad_package;
	return -EINVAL;
}

/* Write a unit's computed relocations, and remember what was written. */
static int write_relocs(struct ksplice_update *update,
			struct ksplice_unit_state *st, u64 *written)
{
	const struct ksplice_unit *unit = st->unit;
	unsigned int i;
	int ret;

	for (i = 0; i < unit->nr_relocs; i++) {
		const struct ksplice_reloc *r = &unit->relocs[i];

		ret = write_field((unsigned long)r->where, &st->relocs[i],
				  reloc_width(r->type));
		if (ret) {
			ksplice_err(update, "unexpected: cannot write a relocation in unit '%s' (%d)\n",
				    unit->name, ret);
			update->cause = ret == -ENOMEM ?
				KSPLICE_CAUSE_out_of_memory :
				KSPLICE_CAUSE_unexpected;
			return ret;
		}
		written[i] = st->relocs[i];
	}
	return 0;
}

/*
 * Compute and check every late relocation of every unit; then, with
 * @write, write them into the new code (not reachable yet) and read them
 * back.  Without @write (a check) the patch module and update->reloc_vals
 * are left as they were.
 */
static int late_relocs(struct ksplice_update *update,
		       struct ksplice_unit_state *states, bool write)
{
	unsigned int u, i;
	int ret;

	for (u = 0; u < update->nr_units; u++) {
		for (i = 0; i < update->units[u]->nr_relocs; i++) {
			ret = reloc_value(update, &states[u], i,
					  update->reloc_vals[u],
					  &states[u].relocs[i]);
			if (ret)
				return ret;
		}
	}
	for (u = 0; write && u < update->nr_units; u++) {
		ret = write_relocs(update, &states[u], update->reloc_vals[u]);
		if (ret)
			return ret;
	}
	return 0;
}

static void free_states(struct ksplice_update *update,
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
		kvfree(states[u].relocs);
	}
	kfree(states);
}

static struct ksplice_unit_state *alloc_states(struct ksplice_update *update)
{
	struct ksplice_unit_state *states;
	unsigned int u;

	states = kcalloc(update->nr_units, sizeof(*states), GFP_KERNEL);
	if (!states)
		return NULL;
	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];
		unsigned int ns = unit->nr_syms ? unit->nr_syms : 1;
		unsigned int np = unit->nr_pre ? unit->nr_pre : 1;
		unsigned int nr = unit->nr_relocs ? unit->nr_relocs : 1;

		states[u].unit = unit;
		states[u].vals = kvcalloc(ns, sizeof(*states[u].vals),
					  GFP_KERNEL);
		states[u].cands = kvcalloc(ns, sizeof(*states[u].cands),
					   GFP_KERNEL);
		states[u].sect_addr = kvcalloc(np, sizeof(unsigned long),
					       GFP_KERNEL);
		states[u].sect_state = kvcalloc(np, 1, GFP_KERNEL);
		states[u].relocs = kvcalloc(nr, sizeof(*states[u].relocs),
					    GFP_KERNEL);
		if (!states[u].vals || !states[u].cands ||
		    !states[u].sect_addr || !states[u].sect_state ||
		    !states[u].relocs) {
			free_states(update, states);
			return NULL;
		}
	}
	return states;
}

/* Forgets what prepare() found: jumps, target references, dependencies. */
static void unprepare(struct ksplice_update *update)
{
	ksplice_free_jumps(update);
	put_targets(update);
	kfree(update->deps);
	update->deps = NULL;
	update->nr_deps = 0;
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
			ksplice_err(update, "failed_to_find: unit '%s' function '%s': its part '%s' was not found\n",
				    unit->name, j->func->name, name);
			update->cause = KSPLICE_CAUSE_failed_to_find;
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

/*
 * What must be off every stack for apply: the matched code of every
 * replaced function and of its parts, each charged to its function.
 * Returns 0 with *@rangesp (to be freed) and *@nr, or -errno with cause set.
 */
static int stack_ranges(struct ksplice_update *update,
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
			update->cause = KSPLICE_CAUSE_out_of_memory;
			return -ENOMEM;
		}
	}
	*rangesp = r;
	*nr = n;
	return 0;
}

/*
 * Everything before stopping the machine: targets (referenced), run-pre
 * matching, jump sites, late relocations (written only with @write), and
 * the ranges for the stack check.  On failure nothing is left prepared.
 */
static int prepare(struct ksplice_update *update, bool write,
		   struct ksplice_range **rangesp, unsigned int *nr_ranges)
{
	struct ksplice_unit_state *states;
	int ret;

	unprepare(update);
	ret = get_targets(update);
	if (ret)
		return ret;
	states = alloc_states(update);
	if (!states)
		goto out_oom;
	ret = ksplice_collect_candidates(update, states);
	if (ret)
		update->cause = KSPLICE_CAUSE_out_of_memory;
	if (!ret)
		ret = ksplice_run_pre(update, states);
	if (!ret)
		ret = runpre_deps(update, states);
	if (!ret)
		ret = prepare_jumps(update, states);
	if (!ret)
		ret = late_relocs(update, states, write);
	if (!ret)
		ret = stack_ranges(update, states, rangesp, nr_ranges);
	free_states(update, states);
	if (ret)
		goto out_unprepare;
	return 0;
out_oom:
	ret = -ENOMEM;
	update->cause = KSPLICE_CAUSE_out_of_memory;
out_unprepare:
	unprepare(update);
	return ret;
}

/* Apply, or check as apply would; the stage changes only on apply. */
static int apply_or_check(struct ksplice_update *update,
			  enum ksplice_action action)
{
	bool check = action == KSPLICE_ACT_CHECK;
	struct ksplice_range *ranges;
	unsigned int nr_ranges;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	update->cause = KSPLICE_CAUSE_none;
	update->nr_conflicts = 0;
	if (update->stage == KSPLICE_STAGE_APPLIED) {
		ksplice_err(update, "bad_state: %s: the update is already applied\n",
			    action_names[action]);
		update->cause = KSPLICE_CAUSE_bad_state;
		return -EINVAL;
	}
	ret = prepare(update, !check, &ranges, &nr_ranges);
	if (ret)
		return ret;
	/* Held while applied, so the patch module stays; a check drops it. */
	if (!try_module_get(update->owner)) {
		ksplice_err(update, "bad_state: the patch module is going away\n");
		update->cause = KSPLICE_CAUSE_bad_state;
		ret = -EINVAL;
	} else {
		ret = stop_and_write(update, action, ranges, nr_ranges);
		if (ret || check)
			module_put(update->owner);
	}
	kfree(ranges);
	if (ret || check)
		unprepare(update);
	else
		update->stage = KSPLICE_STAGE_APPLIED;
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
	struct ksplice_range *range;
	struct ksplice_update *u;
	unsigned long size;
	unsigned int i;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	update->cause = KSPLICE_CAUSE_none;
	update->nr_conflicts = 0;
	if (update->stage != KSPLICE_STAGE_APPLIED) {
		update->cause = KSPLICE_CAUSE_bad_state;
		return -EINVAL;
	}
	list_for_each_entry(u, &ksplice_updates, list) {
		if (u == update || u->stage != KSPLICE_STAGE_APPLIED)
			continue;
		for (i = 0; i < u->nr_deps; i++) {
			if (u->deps[i] != update)
				continue;
			ksplice_err(update, "dependent_update: '%s' builds on this update; undo it first\n",
				    u->id);
			update->cause = KSPLICE_CAUSE_dependent_update;
			return -EBUSY;
		}
	}

	range = kzalloc(sizeof(*range), GFP_KERNEL);
	if (!range) {
		update->cause = KSPLICE_CAUSE_out_of_memory;
		return -ENOMEM;
	}
	range->start = ksplice_module_text(update->owner, &size);
	range->end = range->start + size;
	range->func = -1;
	ret = stop_and_write(update, KSPLICE_ACT_UNDO, range, 1);
	kfree(range);
	if (ret)
		return ret;
	update->stage = KSPLICE_STAGE_REVERSED;
	unprepare(update);
	module_put(update->owner);
	return 0;
}
