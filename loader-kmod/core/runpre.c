// SPDX-License-Identifier: GPL-2.0
/*
 * Run-pre matching: prove that the running code is the code the update was
 * built from, and learn the addresses of the symbols it refers to.
 *
 * For every pre section the candidates are the kallsyms entries with its
 * symbol's name inside the unit's target (or the one address already
 * learned for that symbol).  A candidate matches when every byte outside
 * relocations and sites is equal, every site holds a legitimate form of its
 * kind, and every relocation's live field implies a symbol value that agrees
 * with what is known (compare.c).  A section is settled when exactly one
 * candidate matches; its inferences are then recorded, which may settle
 * others: the search repeats until nothing changes (a flood fill, as in
 * Ksplice).  A section all of whose readable candidates differ is reported
 * with what was expected and what was found, and the search goes on, so
 * one apply or check names every such section; the action then fails with
 * no_match.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "runpre.h"

/**
 * ksplice_part_of() - whether a function is a part split off another
 * @name: kallsyms name of the part
 * @parent: kallsyms name of the function
 *
 * GCC moves unlikely paths of foo into foo.cold (section
 * .text.unlikely.foo), entered by jumps from foo's body and jumping back
 * into it.  The rule is the differ's coldParentName(): "<parent>.cold" or
 * "<parent>.cold.N".
 *
 * CONTEXT: Any.
 * RETURNS: true if @name is a part of @parent.
 */
bool ksplice_part_of(const char *name, const char *parent)
{
	const char *cold = strstr(name, ".cold");
	size_t len = strlen(parent);

	if (!cold || cold == name || (size_t)(cold - name) != len ||
	    strncmp(name, parent, len))
		return false;
	cold += strlen(".cold");
	if (*cold && *cold++ != '.')
		return false;
	while (isdigit(*cold))
		cold++;
	return !*cold;
}

/* For every text pre section that is a part, its parent's pre section. */
static void find_parents(const struct ksplice_unit *unit, int *parent)
{
	unsigned int i, j;

	for (i = 0; i < unit->nr_pre; i++) {
		const char *name = unit->syms[unit->pre[i].sym].name;

		parent[i] = -1;
		if (!(unit->pre[i].flags & KSPLICE_SECT_TEXT) ||
		    !strstr(name, ".cold"))
			continue;
		for (j = 0; j < unit->nr_pre && parent[i] < 0; j++)
			if (j != i && (unit->pre[j].flags & KSPLICE_SECT_TEXT) &&
			    ksplice_part_of(name,
					    unit->syms[unit->pre[j].sym].name))
				parent[i] = j;
	}
}

/*
 * Whether pre section @i should wait for its parent: a part is reached
 * through its parent's jump into it, which tells where the part is even
 * when an applied update replaced the parent (its copy of the part is in
 * that update's module, not among the kallsyms candidates).
 */
static bool part_waits(const struct ksplice_match *m, unsigned int i)
{
	int p = m->parent[i];

	return p >= 0 && !m->st->vals[m->st->unit->pre[i].sym].resolved &&
	       ksplice_pre_open(m->st->sect_state[p]);
}

static void commit(struct ksplice_match *m, u32 idx, unsigned long cand)
{
	struct ksplice_symval *val;
	unsigned int i;

	for (i = 0; i < m->nr_tmp; i++) {
		val = &m->st->vals[m->tmp[i].sym];
		val->value = m->tmp[i].value;
		val->resolved = true;
		val->by_runpre = true;
	}
	val = &m->st->vals[m->sect->sym];
	if (!val->resolved) {
		val->value = cand + m->sect->sym_offset;
		val->resolved = true;
	}
	val->by_runpre = true;
	m->st->sect_addr[idx] = m->addr;
	m->st->sect_state[idx] = KSPLICE_PRE_MATCHED;
}

static bool is_func_target(const struct ksplice_unit *unit, u32 idx)
{
	unsigned int i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (unit->funcs[i].pre_sect == idx)
			return true;
	return false;
}

/* What the candidates of one pre section gave. */
struct tally {
	unsigned int nr;		/* candidates */
	unsigned int nr_read, nr_good, nr_kprobe, nr_differ;
	unsigned long good, good_addr;	/* the last that matched */
	u32 kprobe_off;
	struct ksplice_miss best;	/* of the one that got furthest */
};

/* The candidates of pre section @sect: learned, or from kallsyms. */
static unsigned int cands_of(const struct ksplice_match *m,
			     const struct ksplice_pre_sect *sect,
			     const unsigned long **cands, unsigned long *one)
{
	const struct ksplice_unit_state *st = m->st;
	const struct ksplice_symval *val = &st->vals[sect->sym];

	if (val->resolved) {
		*one = val->value - sect->sym_offset;
		*cands = one;
		return 1;
	}
	if (st->unit->syms[sect->sym].flags & KSPLICE_SYM_SECTION)
		return 0;	/* learned from a reference, or never */
	*cands = st->cands[sect->sym].addr;
	return st->cands[sect->sym].nr;
}

static int try_cands(struct ksplice_match *m, const unsigned long *cands,
		     bool learned, struct tally *t)
{
	const struct ksplice_pre_sect *sect = m->sect;
	unsigned int i;
	int ret;

	for (i = 0; i < t->nr; i++) {
		unsigned long base = cands[i] - (learned ? 0 : sect->sym_offset);

		m->addr = sect->flags & KSPLICE_SECT_TEXT ?
			  ksplice_follow_jumps(base) : base;
		ret = ksplice_try_match(m);
		if (ret < 0)
			return ret;
		if (ret == KSPLICE_MATCH_KPROBE) {
			/* Fatal unless another candidate matches. */
			t->nr_kprobe++;
			t->kprobe_off = m->miss.off;
			continue;
		}
		if (ret == KSPLICE_MATCH_UNREADABLE)
			continue;
		t->nr_read++;
		if (ret == KSPLICE_MATCH_DIFFERS) {
			if (!t->nr_differ++ || m->miss.off > t->best.off)
				t->best = m->miss;
			continue;
		}
		t->nr_good++;
		t->good = base;
		t->good_addr = m->addr;
	}
	return 0;
}

/* ", expected ..., found ..." for a no_match line, or "". */
static void describe_miss(const struct ksplice_match *m,
			  const struct ksplice_miss *b, char *buf, size_t size)
{
	const struct ksplice_unit *unit = m->st->unit;

	switch (b->kind) {
	case KSPLICE_MISS_BYTES:
		snprintf(buf, size, ", expected '%*ph', found '%*ph'",
			 b->want_len, b->want, b->found_len, b->found);
		break;
	case KSPLICE_MISS_SITE:
		snprintf(buf, size, ", expected a %s site (pre '%*ph'), found '%*ph'",
			 ksplice_site_name(b->site), b->want_len, b->want,
			 b->found_len, b->found);
		break;
	case KSPLICE_MISS_VALUE:
		snprintf(buf, size, ", expected a reference to '%s' (%pS), found one to %pS",
			 unit->syms[b->sym].name, (void *)b->known,
			 (void *)b->implied);
		break;
	case KSPLICE_MISS_STRING:
		snprintf(buf, size, ", expected \"%*pE\", found \"%*pE\"",
			 b->want_len, b->want, b->found_len, b->found);
		break;
	default:
		buf[0] = '\0';
	}
}

/* Every readable candidate of pre section @idx differs: say how. */
static void report_mismatch(struct ksplice_match *m, u32 idx,
			    const struct tally *t)
{
	const struct ksplice_unit *unit = m->st->unit;
	const struct ksplice_pre_sect *sect = &unit->pre[idx];
	char what[224];

	if ((*m->nr_mismatch)++ >= KSPLICE_MAX_MISMATCHES)
		return;
	describe_miss(m, &t->best, what, sizeof(what));
	ksplice_abort(m->update, KSPLICE_CAUSE_no_match,
		      "unit '%s' %s '%s' offset 0x%x: %s (%u candidate%s): section '%s'%s\n",
		      unit->name,
		      sect->flags & KSPLICE_SECT_TEXT ? "function" : "object",
		      unit->syms[sect->sym].name, t->best.off, t->best.why,
		      t->nr, t->nr == 1 ? "" : "s", sect->name, what);
}

/*
 * A __weak function or read-only object the update does not replace,
 * different from its only same-named candidates: what an overridden
 * definition looks like (the linker keeps the strong one's name, and the
 * unit's own references, whose values may have been learned, lead there
 * too).  Anything else has one definition in the target: a difference is
 * a mismatch.
 */
static bool overridden_weak(const struct ksplice_match *m, u32 idx)
{
	const struct ksplice_unit *unit = m->st->unit;
	u32 sym = unit->pre[idx].sym;

	return (unit->syms[sym].flags & KSPLICE_SYM_WEAK) &&
	       !is_func_target(unit, idx);
}

/* No readable candidate matched pre section @idx; @t->nr_read did differ. */
static void settle_differing(struct ksplice_match *m, u32 idx,
			     const struct tally *t)
{
	struct ksplice_unit_state *st = m->st;
	const struct ksplice_unit *unit = st->unit;

	if (unit->pre[idx].flags & KSPLICE_SECT_DATA) {
		st->sect_state[idx] = KSPLICE_PRE_ABSENT;
	} else if (overridden_weak(m, idx)) {
		/* Nothing is learned from it. */
		ksplice_info(m->update,
			     "unit '%s': '%s' differs from every candidate (overridden __weak?); not used\n",
			     unit->name, unit->syms[unit->pre[idx].sym].name);
		st->sect_state[idx] = KSPLICE_PRE_WEAK;
	} else {
		st->sect_state[idx] = KSPLICE_PRE_MISMATCH;
		report_mismatch(m, idx, t);
	}
}

/* Decide pre section @idx from its tally. Returns progress (1), 0, -err. */
static int settle(struct ksplice_match *m, u32 idx, const struct tally *t)
{
	struct ksplice_unit_state *st = m->st;
	const struct ksplice_unit *unit = st->unit;
	int ret;

	st->sect_nr[idx] = t->nr_good > 1 ? t->nr_good : t->nr;
	if (!t->nr_good && t->nr_kprobe) {
		ksplice_abort(m->update, KSPLICE_CAUSE_kprobe_conflict,
			      "unit '%s' function '%s' offset 0x%x: a kprobe sits there\n",
			      unit->name, unit->syms[unit->pre[idx].sym].name,
			      t->kprobe_off);
		return -EBUSY;
	}
	if (t->nr_good == 1) {
		m->addr = t->good_addr;
		ret = ksplice_try_match(m); /* again, to rebuild the inferences */
		if (ret)
			return ret < 0 ? ret : -EAGAIN;
		commit(m, idx, t->good);
		return 1;
	}
	if (!t->nr_read && t->nr)
		st->sect_state[idx] = KSPLICE_PRE_ABSENT;
	else if (!t->nr_good && t->nr)
		settle_differing(m, idx, t);
	return 0;
}

/* Try every candidate of pre section @idx. Returns progress (1), 0, -err. */
static int match_sect(struct ksplice_match *m, u32 idx)
{
	const struct ksplice_pre_sect *sect = &m->st->unit->pre[idx];
	struct tally t = { };
	const unsigned long *cands;
	unsigned long one;
	int ret;

	m->st->sect_state[idx] = KSPLICE_PRE_OPEN;
	t.nr = cands_of(m, sect, &cands, &one);
	m->sect = sect;
	ret = try_cands(m, cands, m->st->vals[sect->sym].resolved, &t);
	if (ret)
		return ret;
	return settle(m, idx, &t);
}

/*
 * Phase 0: code and read-only data; phase 1: writable data too.  Parts
 * wait for their parents until nothing else makes progress.
 */
static int match_phases(struct ksplice_match *m)
{
	const struct ksplice_unit *unit = m->st->unit;
	bool progress, defer, waited;
	unsigned int i, phase;
	int ret;

	for (phase = 0; phase < 2; phase++) {
		defer = true;
		do {
			progress = false;
			waited = false;
			for (i = 0; i < unit->nr_pre; i++) {
				if (!ksplice_pre_open(m->st->sect_state[i]))
					continue;
				if (!phase &&
				    (unit->pre[i].flags & KSPLICE_SECT_DATA))
					continue;
				if (defer && part_waits(m, i)) {
					waited = true;
					continue;
				}
				ret = match_sect(m, i);
				if (ret < 0)
					return ret;
				if (ret)
					progress = true;
			}
			if (!progress && waited) {
				defer = false;
				progress = true;
			}
		} while (progress);
	}
	return 0;
}

/* Why replaced function @f's section @idx was not settled. */
static void report_unfound(struct ksplice_update *update,
			   const struct ksplice_unit_state *st,
			   const struct ksplice_func *f, u32 idx)
{
	const struct ksplice_unit *unit = st->unit;
	const struct ksplice_cands *c = &st->cands[unit->pre[idx].sym];
	u32 n = st->sect_nr[idx];

	if (st->sect_state[idx] == KSPLICE_PRE_ABSENT)
		ksplice_abort(update, KSPLICE_CAUSE_failed_to_find,
			      "unit '%s' function '%s': none of its %u candidates in '%s' is readable\n",
			      unit->name, f->name, n, unit->target);
	else if (n)
		ksplice_abort(update, KSPLICE_CAUSE_failed_to_find,
			      "unit '%s' function '%s': several candidates match (%u in '%s'), ambiguous\n",
			      unit->name, f->name, n, unit->target);
	else
		ksplice_abort(update, KSPLICE_CAUSE_failed_to_find,
			      "unit '%s' function '%s': no candidate in '%s' (%u same-named symbols elsewhere)\n",
			      unit->name, f->name, unit->target, c->nr_global);
}

/* Every replaced function must be settled.  Returns 0 or -errno. */
static int check_funcs(struct ksplice_update *update,
		       const struct ksplice_unit_state *st)
{
	const struct ksplice_unit *unit = st->unit;
	unsigned int i;

	for (i = 0; i < unit->nr_funcs; i++) {
		u32 idx = unit->funcs[i].pre_sect;

		if (st->sect_state[idx] == KSPLICE_PRE_MATCHED)
			continue;
		report_unfound(update, st, &unit->funcs[i], idx);
		return -ENOENT;
	}
	return 0;
}

static void free_match(struct ksplice_match *m)
{
	kvfree(m->tmp);
	kvfree(m->parent);
	kvfree(m->sym_sect);
	kvfree(m->cls);
	kvfree(m->run);
}

/* Buffers for matching the unit of m->st.  Returns 0 or -ENOMEM. */
static int init_match(struct ksplice_match *m)
{
	const struct ksplice_unit *unit = m->st->unit;
	unsigned int i, max_size = 1;

	for (i = 0; i < unit->nr_pre; i++)
		max_size = max(max_size, unit->pre[i].size);
	m->run = kvmalloc(max_size, GFP_KERNEL);
	m->cls = kvmalloc(max_size, GFP_KERNEL);
	m->sym_sect = kvmalloc_array(unit->nr_syms ? unit->nr_syms : 1,
				     sizeof(int), GFP_KERNEL);
	m->parent = kvmalloc_array(unit->nr_pre ? unit->nr_pre : 1,
				   sizeof(int), GFP_KERNEL);
	m->max_tmp = 4096;
	m->tmp = kvmalloc_array(m->max_tmp, sizeof(*m->tmp), GFP_KERNEL);
	if (!m->run || !m->cls || !m->sym_sect || !m->parent || !m->tmp)
		return -ENOMEM;
	find_parents(unit, m->parent);
	for (i = 0; i < unit->nr_syms; i++)
		m->sym_sect[i] = -1;
	for (i = 0; i < unit->nr_pre; i++) {
		m->sym_sect[unit->pre[i].sym] = i;
		if (unit->pre[i].flags & KSPLICE_SECT_STRING)
			m->st->sect_state[i] = KSPLICE_PRE_SKIPPED;
	}
	return 0;
}

/*
 * Match one unit; its mismatching sections are counted in *@nr_mismatch.
 * Returns 0 or -errno with cause set.
 */
static int match_unit(struct ksplice_update *update,
		      struct ksplice_unit_state *st, unsigned int *nr_mismatch)
{
	struct ksplice_match m = {
		.update = update, .st = st, .nr_mismatch = nr_mismatch,
	};
	int ret;

	st->ran = true;
	ret = init_match(&m);
	if (ret)
		ksplice_abort(update, KSPLICE_CAUSE_out_of_memory,
			      "unit '%s': no memory for matching\n",
			      st->unit->name);
	if (!ret)
		ret = match_phases(&m);
	if (ret == -EINVAL)
		ksplice_abort(update, KSPLICE_CAUSE_bad_package,
			      "unit '%s' has a malformed relocation or site\n",
			      st->unit->name);
	else if (ret < 0 && update->cause == KSPLICE_CAUSE_none)
		ksplice_abort(update, ksplice_errno_cause(ret),
			      "unit '%s': matching failed (%d)\n",
			      st->unit->name, ret);
	/* After a mismatch the action fails with no_match anyway. */
	if (!ret && !*nr_mismatch)
		ret = check_funcs(update, st);
	free_match(&m);
	return ret;
}

/**
 * ksplice_run_pre() - run-pre matching for every unit of an update
 * @update: the update (cause is set on failure)
 * @states: per-unit state, candidates collected
 *
 * Units marked skip (their target is absent, or not the module being
 * loaded) are left alone.  Every unit is matched even after one of them
 * mismatched, so that the
 * report names every section that differs (the first KSPLICE_MAX_MISMATCHES
 * of them, then how many more); the statistics go to update->match.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -errno with update->cause set (-ENOEXEC for no_match).
 */
int ksplice_run_pre(struct ksplice_update *update,
		    struct ksplice_unit_state *states)
{
	unsigned int u, nr_mismatch = 0;
	int ret = 0, rec;

	lockdep_assert_held(&ksplice_mutex);
	for (u = 0; u < update->nr_units && !ret; u++)
		if (!states[u].skip)
			ret = match_unit(update, &states[u], &nr_mismatch);
	if (nr_mismatch > KSPLICE_MAX_MISMATCHES)
		ksplice_abort_more(update, "... and %u more\n",
				   nr_mismatch - KSPLICE_MAX_MISMATCHES);
	rec = ksplice_record_match(update, states);
	if (nr_mismatch)
		return -ENOEXEC;
	return ret ? ret : rec;
}
