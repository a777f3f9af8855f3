/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the core module.
 */
#ifndef KSPLICE_INTERNAL_H
#define KSPLICE_INTERNAL_H

#include <linux/compiler_attributes.h>
#include <linux/errno.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/types.h>
#include <ksplice/abi.h>
#include <ksplice/errors.h>
#include <ksplice/loader.h>

#define KSPLICE_MAX_CONFLICTS	64
#define KSPLICE_DEFAULT_RETRIES	5
#define KSPLICE_DETAIL_SIZE	PAGE_SIZE	/* sysfs "detail" */
#define KSPLICE_MAX_MISMATCHES	8	/* no_match lines of one action */
#define KSPLICE_MATCH_MAX_LINES	1000	/* unsettled sections in "match" */

enum ksplice_stage {
	KSPLICE_STAGE_LOADED,	/* registered, never applied */
	KSPLICE_STAGE_APPLIED,	/* jumps written */
	KSPLICE_STAGE_REVERSED,	/* applied once, then undone */
};

/* What a value learned for a unit's symbol is worth. */
struct ksplice_symval {
	unsigned long value;
	bool resolved;		/* value is known */
	bool by_runpre;		/* learned from matched pre code */
};

/* Every kallsyms entry with a symbol's name, split by where it lives. */
struct ksplice_cands {
	unsigned long *addr;	/* candidates inside the unit's target */
	unsigned int nr, cap;
	unsigned int nr_global;	/* anywhere but in patch modules */
	unsigned long global;	/* the first of those */
};

/*
 * What run-pre matching made of a pre section.  OPEN: tried, not settled;
 * sect_nr is 0 when it had no candidate, else how many matched.
 */
enum ksplice_pre_state {
	KSPLICE_PRE_UNTRIED,	/* not tried (yet) */
	KSPLICE_PRE_OPEN,	/* tried, no candidate or several matched */
	KSPLICE_PRE_MATCHED,	/* exactly one candidate matched */
	KSPLICE_PRE_ABSENT,	/* none of its sect_nr candidates readable */
	KSPLICE_PRE_SKIPPED,	/* not matched by design (merged strings) */
	KSPLICE_PRE_MISMATCH,	/* its sect_nr candidates differ: no_match */
	KSPLICE_PRE_WEAK,	/* differs, an overridden __weak: not used */
};

/* Whether matching may still settle a section in this state. */
static inline bool ksplice_pre_open(u8 state)
{
	return state <= KSPLICE_PRE_OPEN;
}

/* Whether a unit patches the kernel image rather than a module. */
static inline bool ksplice_unit_in_vmlinux(const struct ksplice_unit *unit)
{
	return !strcmp(unit->target, "vmlinux");
}

/* Per-unit working state of one apply or check attempt. */
struct ksplice_unit_state {
	const struct ksplice_unit *unit;
	struct ksplice_symval *vals;	/* nr_syms */
	struct ksplice_cands *cands;	/* nr_syms */
	unsigned long *sect_addr;	/* nr_pre: matched address or 0 */
	u8 *sect_state;			/* nr_pre: enum ksplice_pre_state */
	u32 *sect_nr;			/* nr_pre: candidates, see the state */
	u64 *relocs;			/* nr_relocs: late relocation values */
	bool ran;			/* run-pre matching began on the unit */
	bool skip;			/* not in this pass: its target is absent,
					 * or not the module being loaded */
};

/* Where an applied update stands with one of its targets (sysfs "targets"). */
enum ksplice_target_state {
	KSPLICE_TARGET_UNPATCHED,	/* the update is not applied */
	KSPLICE_TARGET_PATCHED,		/* loaded, its jumps written */
	KSPLICE_TARGET_WAITING,		/* not loaded: patched when it loads */
	KSPLICE_TARGET_REFUSED,		/* its last load was refused: cause */
};

/*
 * A module (or vmlinux) some units of an update patch.  Fields below name
 * are protected by ksplice_mutex.
 */
struct ksplice_target {
	const char *name;		/* unit->target: "vmlinux" or a module */
	bool vmlinux;
	bool hooks;			/* a unit of this target has hooks */
	bool init;			/* a unit replaces its init code */
	bool data;			/* a unit changes its data (written
					 * only as the module comes) */
	enum ksplice_target_state state;
	enum ksplice_abort_cause cause;	/* REFUSED: why the load was refused */
	struct module *mod;		/* PATCHED module: identity, no reference */
	struct module *ref;		/* referenced: during one action, or
					 * while applied for a target with hooks */
};

/* A replaced function and its jump. */
struct ksplice_jump {
	const struct ksplice_unit *unit;
	const struct ksplice_func *func;
	unsigned long old;	/* matched code (maybe an earlier repl) */
	unsigned long size;	/* of the matched code */
	unsigned long addr;	/* where the jump is written */
	void *map;		/* vmap alias of the page(s) of addr */
	u8 *wp;			/* writable alias of addr */
	u8 saved[KSPLICE_JUMP_SIZE];
	u8 insn[KSPLICE_JUMP_SIZE];
};

/* ksplice_conflict.addr for conflicts that are not a word on a stack. */
#define KSPLICE_CONFLICT_RUNNING	1UL	/* running outside the stopper */
#define KSPLICE_CONFLICT_UNRELIABLE	2UL	/* saved sp outside the stack */

struct ksplice_conflict {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long addr;
	int func;		/* index into jumps, or -1 */
	const char *name;	/* the function's name, or sym */
	char sym[64];		/* the symbol at addr, if func < 0 */
};

/* An address range that must be off every stack. */
struct ksplice_range {
	unsigned long start, end;
	int func;		/* index into jumps, or -1 */
};

/*
 * The phases of an action, in the order they run; sysfs "timings" shows
 * those the last action ran, one "<phase> <ns>" line each.
 */
#define KSPLICE_PHASES(X)						\
	X(targets)	/* the target modules looked up and referenced */ \
	X(kallsyms)	/* the one pass over kallsyms for the candidates */ \
	X(runpre)	/* run-pre matching */				\
	X(jumps)	/* dependencies, jump sites, aliases */		\
	X(relocs)	/* late relocations */				\
	X(watch)	/* the probe on sched_switch, seen by every CPU */ \
	X(precheck)	/* the stack check before the stop (last try) */ \
	X(stop_machine)	/* the whole stop_machine() call (last try) */	\
	X(pause)	/* pause_ns (last try) */			\
	X(total)	/* the whole action, with the sleeps between tries */

#define KSPLICE_PHASE_ENUM(name)	KSPLICE_PHASE_##name,
enum ksplice_phase {
	KSPLICE_PHASES(KSPLICE_PHASE_ENUM)
	KSPLICE_NR_PHASES
};
#undef KSPLICE_PHASE_ENUM

/* What the last action's phases took. */
struct ksplice_timings {
	u64 ns[KSPLICE_NR_PHASES];
	u32 ran;			/* bit per phase that ran */
};

struct ksplice_update {
	struct kobject kobj;
	struct list_head list;		/* on ksplice_updates */
	struct module *owner;		/* the patch module */
	char *id;
	char *description;
	struct ksplice_unit **units;
	unsigned int nr_units;

	/* The rest is protected by ksplice_mutex. */
	enum ksplice_stage stage;
	enum ksplice_abort_cause cause;
	unsigned int retries;
	u64 pause_ns;
	struct ksplice_timings timings;	/* of the last action */
	struct ksplice_jump *jumps;	/* room for every function */
	unsigned int nr_jumps;		/* written (or about to be) */
	struct ksplice_target *targets;	/* distinct unit->target, in order */
	unsigned int nr_targets;
	unsigned int *unit_target;	/* per unit: index into targets */
	u64 seq;			/* when applied: orders the updates */
	struct ksplice_update **deps;	/* updates whose code we build on */
	unsigned int nr_deps;
	/*
	 * Modules (neither a target nor a patch module) whose symbols a late
	 * relocation wrote into our new code: referenced from then until the
	 * update is unregistered, so that none goes while its address is in
	 * code that may run.
	 */
	struct module **held;
	unsigned int nr_held;
	struct ksplice_conflict *conflicts;
	unsigned int nr_conflicts;
	bool conflicts_truncated;
	u64 **reloc_vals;		/* per unit, per reloc: value written */
	char *detail;			/* KSPLICE_DETAIL_SIZE: why it failed */
	size_t detail_len;
	bool detail_truncated;
	char *match;			/* run-pre statistics, or NULL */
	size_t match_len;
};

/* Protects ksplice_updates, every update's mutable fields, our text writes. */
extern struct mutex ksplice_mutex;
extern struct list_head ksplice_updates;

extern const char *const ksplice_cause_names[];

/* core.c */
int ksplice_check_unit(const struct ksplice_unit *unit);

/* lookup.c */
int ksplice_lookup_init(void);
int ksplice_collect_candidates(struct ksplice_update *update,
			       struct ksplice_unit_state *states);
struct module *ksplice_get_module(const char *name, bool (*ok)(struct module *));
unsigned int ksplice_module_symbol(struct module *mod, const char *name,
				   unsigned long *addr);
struct task_struct *ksplice_idle_task(int cpu);
struct module *ksplice_module_address(unsigned long addr);
void ksplice_put_task_stack(struct task_struct *t);
struct tracepoint *ksplice_sched_switch_tp(void);
unsigned long ksplice_forks(void);
bool ksplice_kprobe_at(unsigned long addr, unsigned long len);
struct ksplice_update *ksplice_update_of_addr(unsigned long addr);
unsigned long ksplice_follow_jumps(unsigned long addr);
struct insn;
int ksplice_insn_decode(struct insn *insn, const u8 *buf, unsigned int len);

/* runpre.c */
int ksplice_run_pre(struct ksplice_update *update,
		    struct ksplice_unit_state *states);
bool ksplice_part_of(const char *name, const char *parent);

/* report.c */
void ksplice_report_begin(struct ksplice_update *update, bool matching);
__printf(3, 4)
void ksplice_abort(struct ksplice_update *update,
		   enum ksplice_abort_cause cause, const char *fmt, ...);
__printf(2, 3)
void ksplice_abort_more(struct ksplice_update *update, const char *fmt, ...);
ssize_t ksplice_detail_show(struct ksplice_update *update, char *buf);
int ksplice_record_match(struct ksplice_update *update,
			 const struct ksplice_unit_state *states);
void ksplice_phase_set(struct ksplice_update *update, enum ksplice_phase phase,
		       u64 ns);
void ksplice_phase_done(struct ksplice_update *update,
			enum ksplice_phase phase, u64 start);
void ksplice_phase_forget(struct ksplice_update *update,
			  enum ksplice_phase phase);
ssize_t ksplice_timings_show(struct ksplice_update *update, char *buf);

/* trampoline_x86.c */
int ksplice_map_writable(unsigned long addr, size_t len, void **map,
			 u8 **wp);
int ksplice_check_site(const struct ksplice_site *site, const u8 *pre,
		       const u8 *run, unsigned long run_addr,
		       unsigned long sect_addr, unsigned long sect_size);
unsigned int ksplice_site_len(const struct ksplice_site *site,
			      const u8 *pre, unsigned long avail);
bool ksplice_site_rewritable(const struct ksplice_site *site);
const char *ksplice_site_name(u16 kind);
int ksplice_make_jump(unsigned long from, unsigned long to, u8 *insn);

/* watch.c */
/* A task the watch saw switched. */
struct ksplice_ran {
	struct task_struct *task;	/* referenced; NULL: a free slot */
	atomic_long_t switches;		/* switches in and out, since the start */
	long checked;			/* switches when a scan held */
};

/*
 * Which tasks were switched since the watch started: written by the
 * sched_switch probe on any CPU (cmpxchg on a slot's task, atomics), read
 * by the stack check; emptied only when the probe is gone.
 */
struct ksplice_watch {
	struct ksplice_ran *slots;	/* open addressing, by task */
	u32 *order;			/* slots in the order they were taken */
	atomic_t nr;			/* slots taken */
	unsigned int max;		/* slots to take before overflowing */
	bool overflow;			/* a switch went unrecorded */
	bool on;			/* the probe is registered */
};

int ksplice_watch_alloc(struct ksplice_watch *w);
void ksplice_watch_free(struct ksplice_watch *w);
int ksplice_watch_start(struct ksplice_watch *w);
void ksplice_watch_stop(struct ksplice_watch *w);
unsigned int ksplice_watch_nr(struct ksplice_watch *w);
struct ksplice_ran *ksplice_watch_find(struct ksplice_watch *w,
				       struct task_struct *t);

/* The entry @i (< ksplice_watch_nr()) in the order the tasks came. */
static inline struct ksplice_ran *ksplice_watch_entry(struct ksplice_watch *w,
						      unsigned int i)
{
	return &w->slots[READ_ONCE(w->order[i])];
}

/* stack_check.c, precheck.c */
struct ksplice_stack_check {
	const struct ksplice_range *ranges;
	unsigned int nr_ranges;
	unsigned long lo, hi;		/* envelope of the ranges */
	struct task_struct *caller;	/* the task that stops the machine */
	struct task_struct **stoppers;	/* per cpu: task running the stopper */
	unsigned long *stopper_sp;	/* per cpu: its stack pointer */
	struct ksplice_watch watch;	/* tasks switched during the try */
	unsigned long forks;		/* ksplice_forks() as the scan began */
	unsigned int nr_before;		/* tasks checked before the stop */
	unsigned int nr_inside;		/* tasks checked inside it */
	struct ksplice_conflict *conflicts;
	unsigned int nr_conflicts;
	bool truncated;
};

void ksplice_stack_ranges_envelope(struct ksplice_stack_check *sc);
bool ksplice_scan_task(struct ksplice_stack_check *sc, struct task_struct *t,
		       unsigned long sp);
int ksplice_check_stacks(struct ksplice_stack_check *sc);
int ksplice_precheck_stacks(struct ksplice_stack_check *sc);

/* What a stop_machine pass is for. */
enum ksplice_action {
	KSPLICE_ACT_APPLY,	/* check, then write the jumps */
	KSPLICE_ACT_UNDO,	/* check, then restore the saved bytes */
	KSPLICE_ACT_CHECK,	/* check exactly as apply does, write nothing */
};

/* stop.c */
extern const char *const ksplice_action_names[];
int ksplice_stop_machine(struct ksplice_update *update,
			 enum ksplice_action action,
			 const struct ksplice_range *ranges,
			 unsigned int nr_ranges);

/* jumps.c */
int ksplice_add_dep(struct ksplice_update *update, unsigned long addr);
int ksplice_depend_on(struct ksplice_update *update, unsigned long addr,
		      const char *target);
void ksplice_release_held(struct ksplice_update *update);
int ksplice_runpre_deps(struct ksplice_update *update,
			const struct ksplice_unit_state *states);
int ksplice_prepare_jumps(struct ksplice_update *update,
			  const struct ksplice_unit_state *states);
int ksplice_check_jump(const struct ksplice_jump *j, bool undo);
void ksplice_drop_jumps(struct ksplice_update *update, unsigned int from);
void ksplice_free_jumps(struct ksplice_update *update);

/* relocs.c */
int ksplice_late_relocs(struct ksplice_update *update,
			struct ksplice_unit_state *states, bool write);
int ksplice_reloc_width(u16 type);
bool ksplice_reloc_ok(const struct ksplice_unit *unit,
		      const struct ksplice_reloc *r, struct module *owner);
u64 ksplice_reloc_read(const struct ksplice_reloc *r, u64 *canary);
int ksplice_reloc_field(u16 type, unsigned long where, unsigned long s,
			s64 addend, u64 *value);
int ksplice_write_field(unsigned long where, const void *val, int width);

/* loadrelocs.c */
int ksplice_patch_coming(struct module *mod);
void ksplice_patch_going(struct module *mod);
ssize_t ksplice_refused_load_show(char *buf);

/* state.c */
struct ksplice_unit_state *ksplice_alloc_states(struct ksplice_update *update);
void ksplice_free_states(struct ksplice_update *update,
			 struct ksplice_unit_state *states);
int ksplice_stack_ranges(struct ksplice_update *update,
			 const struct ksplice_unit_state *states,
			 struct ksplice_range **rangesp, unsigned int *nr);
int ksplice_undo_ranges(struct ksplice_update *update,
			struct ksplice_range **rangesp, unsigned int *nr);

/* targets.c */
int ksplice_init_targets(struct ksplice_update *update);
void ksplice_free_targets(struct ksplice_update *update);
int ksplice_get_targets(struct ksplice_update *update, bool apply);
void ksplice_put_targets(struct ksplice_update *update);
void ksplice_mark_skip(struct ksplice_update *update,
		       struct ksplice_unit_state *states,
		       const struct ksplice_target *only);
void ksplice_targets_applied(struct ksplice_update *update);
void ksplice_targets_reversed(struct ksplice_update *update);
ssize_t ksplice_targets_show(struct ksplice_update *update, char *buf);
struct ksplice_target *ksplice_target_named(struct ksplice_update *update,
					    const char *name);

/* modules.c */
int ksplice_modules_init(void);
void ksplice_modules_exit(void);
bool ksplice_module_seen(struct module *mod);

/* hooks.c */
extern const char *const ksplice_hook_names[KSPLICE_NR_HOOK_KINDS + 1];
int ksplice_check_hooks(const struct ksplice_unit *unit, struct module *owner);
int ksplice_pre_hooks(struct ksplice_update *update, bool undo);
void ksplice_call_hooks(struct ksplice_update *update, u32 kind);

/* apply.c */
int ksplice_prepare_states(struct ksplice_update *update,
			   struct ksplice_unit_state *states, bool write,
			   struct ksplice_range **rangesp,
			   unsigned int *nr_ranges);
int ksplice_apply(struct ksplice_update *update);
int ksplice_check(struct ksplice_update *update);
int ksplice_undo(struct ksplice_update *update);

/* The cause of a failure with @err where no check failed: the one place. */
static inline enum ksplice_abort_cause ksplice_errno_cause(int err)
{
	return err == -ENOMEM ? KSPLICE_CAUSE_out_of_memory :
	       KSPLICE_CAUSE_unexpected;
}

#define ksplice_info(update, fmt, ...) \
	pr_info("'%s': " fmt, (update)->id, ##__VA_ARGS__)

#endif /* KSPLICE_INTERNAL_H */
