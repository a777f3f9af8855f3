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
 * with what is known.  A section is settled when exactly one candidate
 * matches; its inferences are then recorded, which may settle others: the
 * search repeats until nothing changes (a flood fill, as in Ksplice).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>
#include "internal.h"

enum ksplice_sect_state {
	SECT_UNMATCHED,		/* not settled yet */
	SECT_MATCHED,		/* exactly one candidate matched */
	SECT_ABSENT,		/* not in memory (init code, unreadable) */
	SECT_SKIPPED,		/* not matched by design (merged sections) */
};

/* Classes of pre bytes. */
#define BYTE_CMP	0
#define BYTE_RELOC	1
#define BYTE_SITE	2

#define MAX_STRING	256

/* A tentative symbol value, committed only if the candidate is chosen. */
struct tmpval {
	u32 sym;
	unsigned long value;
};

struct match {
	struct ksplice_update *update;
	struct ksplice_unit_state *st;
	const struct ksplice_pre_sect *sect;
	unsigned long addr;		/* candidate being tried */
	u8 *run;			/* live bytes */
	u8 *cls;			/* class of each byte */
	int *sym_sect;			/* symbol -> pre section, or -1 */
	int *parent;			/* pre section -> its parent's, or -1 */
	struct tmpval *tmp;
	unsigned int nr_tmp, max_tmp;
	u32 bad_off;			/* where it failed */
	const char *why;
};

/* Return codes of try_match() besides 0. */
#define MATCH_DIFFERS	1		/* bytes differ: drop the candidate */
#define MATCH_UNREADABLE 2		/* no memory there */
#define MATCH_KPROBE	3		/* a kprobe sits on a differing byte */

static unsigned int reloc_size(u16 type)
{
	switch (type) {
	case KSPLICE_R_PC32:
	case KSPLICE_R_32S:
	case KSPLICE_R_32:
		return 4;
	case KSPLICE_R_64:
	case KSPLICE_R_PC64:
		return 8;
	default:
		return 0;
	}
}

/* The symbol value S implied by a live field at P (S + A [- P] = field). */
static unsigned long infer(u16 type, const u8 *field, unsigned long p,
			   s64 addend)
{
	switch (type) {
	case KSPLICE_R_PC32:
		return (long)(s32)get_unaligned_le32(field) + p - addend;
	case KSPLICE_R_32S:
		return (long)(s32)get_unaligned_le32(field) - addend;
	case KSPLICE_R_32:
		return (unsigned long)get_unaligned_le32(field) - addend;
	case KSPLICE_R_64:
		return get_unaligned_le64(field) - addend;
	case KSPLICE_R_PC64:
		return get_unaligned_le64(field) + p - addend;
	}
	return 0;
}

/* Whether two values of one symbol agree (an earlier update's jump counts). */
static bool same_value(unsigned long a, unsigned long b)
{
	return a == b || ksplice_follow_jumps(a) == ksplice_follow_jumps(b);
}

static int fail(struct match *m, u32 off, const char *why)
{
	m->bad_off = off;
	m->why = why;
	return MATCH_DIFFERS;
}

/* A reference to a merged string: compare the string it points to. */
static int check_string(struct match *m, const struct ksplice_pre_reloc *r,
			const struct ksplice_pre_sect *target)
{
	unsigned long p = m->addr + r->offset, s;
	long off;
	char buf[MAX_STRING];
	size_t len;

	s = infer(r->type, m->run + r->offset, p, r->addend);
	/* rip-relative: the field ends the instruction (A = off - 4). */
	off = r->type == KSPLICE_R_PC32 || r->type == KSPLICE_R_PC64 ?
	      r->addend + 4 : r->addend;
	if (off < 0 || off >= target->size)
		return fail(m, r->offset, "string reference out of range");
	len = strnlen((const char *)target->data + off, target->size - off);
	if (len >= sizeof(buf) || off + len >= target->size)
		return 0;	/* too long to check: relocation still matched */
	if (copy_from_kernel_nofault(buf, (void *)(s + off), len + 1))
		return fail(m, r->offset, "string unreadable");
	if (memcmp(buf, target->data + off, len + 1))
		return fail(m, r->offset, "string differs");
	return 0;
}

static int note_value(struct match *m, u32 sym, unsigned long v, u32 off)
{
	struct ksplice_symval *val = &m->st->vals[sym];
	unsigned int i;

	if (val->resolved) {
		if (!same_value(val->value, v))
			return fail(m, off, "symbol value contradicts");
		return 0;
	}
	for (i = 0; i < m->nr_tmp; i++) {
		if (m->tmp[i].sym != sym)
			continue;
		if (!same_value(m->tmp[i].value, v))
			return fail(m, off, "symbol value contradicts");
		return 0;
	}
	if (m->nr_tmp == m->max_tmp)
		return fail(m, off, "too many symbols");
	m->tmp[m->nr_tmp].sym = sym;
	m->tmp[m->nr_tmp].value = v;
	m->nr_tmp++;
	return 0;
}

static int try_match(struct match *m)
{
	const struct ksplice_pre_sect *sect = m->sect;
	const struct ksplice_unit *unit = m->st->unit;
	bool data = sect->flags & KSPLICE_SECT_DATA;
	unsigned int i, j, len, sz;
	int ret;

	m->nr_tmp = 0;
	if (copy_from_kernel_nofault(m->run, (void *)m->addr, sect->size))
		return MATCH_UNREADABLE;
	memset(m->cls, BYTE_CMP, sect->size);

	for (i = 0; i < sect->nr_sites; i++) {
		const struct ksplice_site *site = &sect->sites[i];

		if (site->offset >= sect->size)
			return -EINVAL;
		len = ksplice_site_len(site, sect->data + site->offset,
				       sect->size - site->offset);
		if (!len)
			continue;
		memset(m->cls + site->offset, BYTE_SITE, len);
		if (ksplice_check_site(site, sect->data + site->offset,
				       m->run + site->offset,
				       m->addr + site->offset, m->addr,
				       sect->size))
			return fail(m, site->offset, "site holds unexpected bytes");
	}

	for (i = 0; i < sect->nr_relocs; i++) {
		const struct ksplice_pre_reloc *r = &sect->relocs[i];
		unsigned long v;
		int target;

		sz = reloc_size(r->type);
		if (!sz || r->offset + sz > sect->size || r->sym >= unit->nr_syms)
			return -EINVAL;
		if (m->cls[r->offset] == BYTE_SITE)
			continue;	/* the site's own check covers it */
		memset(m->cls + r->offset, BYTE_RELOC, sz);
		v = infer(r->type, m->run + r->offset, m->addr + r->offset,
			  r->addend);
		target = m->sym_sect[r->sym];
		if (target >= 0 &&
		    (unit->pre[target].flags & KSPLICE_SECT_STRING)) {
			ret = check_string(m, r, &unit->pre[target]);
			if (ret)
				return ret;
			continue;
		}
		if (unit->syms[r->sym].flags & KSPLICE_SYM_SECTION)
			continue;	/* merged/anonymous: nothing to learn */
		if (data && !m->st->vals[r->sym].resolved)
			continue;	/* writable data drifts: only check */
		ret = note_value(m, r->sym, v, r->offset);
		if (ret)
			return ret;
	}

	if (data)
		return 0;
	for (i = 0; i < sect->size; i++) {
		if (m->cls[i] != BYTE_CMP || m->run[i] == sect->data[i])
			continue;
		for (j = 0; j < 16 && j <= i; j++)
			if (ksplice_kprobe_at(m->addr + i - j, 1)) {
				m->bad_off = i - j;
				m->why = "kprobe";
				return MATCH_KPROBE;
			}
		return fail(m, i, "bytes differ");
	}
	return 0;
}

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
static bool part_waits(const struct match *m, unsigned int i)
{
	int p = m->parent[i];

	return p >= 0 && !m->st->vals[m->st->unit->pre[i].sym].resolved &&
	       m->st->sect_state[p] == SECT_UNMATCHED;
}

static void commit(struct match *m, u32 idx, unsigned long cand)
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
	m->st->sect_state[idx] = SECT_MATCHED;
}

static bool is_func_target(const struct ksplice_unit *unit, u32 idx)
{
	unsigned int i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (unit->funcs[i].pre_sect == idx)
			return true;
	return false;
}

/* Try every candidate of pre section idx. Returns progress (1), 0 or -err. */
static int match_sect(struct match *m, u32 idx, bool *failed)
{
	struct ksplice_unit_state *st = m->st;
	const struct ksplice_pre_sect *sect = &st->unit->pre[idx];
	const struct ksplice_symval *val = &st->vals[sect->sym];
	const struct ksplice_cands *c = &st->cands[sect->sym];
	unsigned long one, *cands, good = 0, good_addr = 0;
	unsigned int nr, i, nr_good = 0, nr_read = 0, nr_kprobe = 0;
	u32 best_off = 0, kprobe_off = 0;
	const char *best_why = NULL;
	int ret;

	*failed = false;
	if (val->resolved) {
		one = val->value - sect->sym_offset;
		cands = &one;
		nr = 1;
	} else {
		if (st->unit->syms[sect->sym].flags & KSPLICE_SYM_SECTION)
			return 0;
		cands = c->addr;
		nr = c->nr;
	}
	if (!nr)
		return 0;

	m->sect = sect;
	for (i = 0; i < nr; i++) {
		unsigned long base = cands[i] - (val->resolved ? 0 :
						 sect->sym_offset);

		m->addr = sect->flags & KSPLICE_SECT_TEXT ?
			  ksplice_follow_jumps(base) : base;
		ret = try_match(m);
		if (ret < 0)
			return ret;
		if (ret == MATCH_KPROBE) {
			/* Fatal unless another candidate matches. */
			nr_kprobe++;
			kprobe_off = m->bad_off;
			continue;
		}
		if (ret == MATCH_UNREADABLE)
			continue;
		nr_read++;
		if (ret == MATCH_DIFFERS) {
			if (!best_why || m->bad_off > best_off) {
				best_off = m->bad_off;
				best_why = m->why;
			}
			continue;
		}
		nr_good++;
		good = base;
		good_addr = m->addr;
	}
	if (!nr_good && nr_kprobe) {
		ksplice_err(m->update,
			    "kprobe_conflict: unit '%s' function '%s' offset 0x%x: a kprobe sits there\n",
			    st->unit->name, st->unit->syms[sect->sym].name,
			    kprobe_off);
		m->update->cause = KSPLICE_CAUSE_kprobe_conflict;
		return -EBUSY;
	}
	if (nr_good == 1) {
		m->addr = good_addr;
		ret = try_match(m);	/* again, to rebuild the inferences */
		if (ret)
			return ret < 0 ? ret : -EAGAIN;
		commit(m, idx, good);
		return 1;
	}
	if (!nr_read) {
		st->sect_state[idx] = SECT_ABSENT;
		return 0;
	}
	if (!nr_good) {
		if (sect->flags & KSPLICE_SECT_DATA) {
			st->sect_state[idx] = SECT_ABSENT;
			return 0;
		}
		/*
		 * A global function the update does not replace, different
		 * from its only same-named candidates: what an overridden
		 * __weak definition looks like (the linker keeps the strong
		 * one's name).  Nothing is learned from it.
		 */
		if (!(st->unit->syms[sect->sym].flags & KSPLICE_SYM_LOCAL) &&
		    !val->resolved && !is_func_target(st->unit, idx)) {
			ksplice_info(m->update,
				     "unit '%s': '%s' differs from every candidate (overridden __weak?); not used\n",
				     st->unit->name,
				     st->unit->syms[sect->sym].name);
			st->sect_state[idx] = SECT_ABSENT;
			return 0;
		}
		ksplice_err(m->update,
			    "no_match: unit '%s' function '%s' offset 0x%x: %s (%u candidate%s)\n",
			    st->unit->name, st->unit->syms[sect->sym].name,
			    best_off, best_why, nr, nr == 1 ? "" : "s");
		*failed = true;
	}
	return 0;
}

static int match_unit(struct ksplice_update *update,
		      struct ksplice_unit_state *st)
{
	const struct ksplice_unit *unit = st->unit;
	struct match m = { .update = update, .st = st };
	unsigned int i, phase, max_size = 1;
	bool failed, progress, defer, waited;
	int ret = -ENOMEM;

	for (i = 0; i < unit->nr_pre; i++) {
		max_size = max(max_size, unit->pre[i].size);
		if (unit->pre[i].sym >= unit->nr_syms)
			goto out_bad;
	}
	m.run = kvmalloc(max_size, GFP_KERNEL);
	m.cls = kvmalloc(max_size, GFP_KERNEL);
	m.sym_sect = kvmalloc_array(unit->nr_syms ? unit->nr_syms : 1,
				    sizeof(int), GFP_KERNEL);
	m.parent = kvmalloc_array(unit->nr_pre ? unit->nr_pre : 1,
				  sizeof(int), GFP_KERNEL);
	m.max_tmp = 4096;
	m.tmp = kvmalloc_array(m.max_tmp, sizeof(*m.tmp), GFP_KERNEL);
	if (!m.run || !m.cls || !m.sym_sect || !m.parent || !m.tmp)
		goto out_oom;
	find_parents(unit, m.parent);
	for (i = 0; i < unit->nr_syms; i++)
		m.sym_sect[i] = -1;
	for (i = 0; i < unit->nr_pre; i++) {
		m.sym_sect[unit->pre[i].sym] = i;
		if (unit->pre[i].flags & KSPLICE_SECT_STRING)
			st->sect_state[i] = SECT_SKIPPED;
	}

	/*
	 * Phase 0: code and read-only data; phase 1: writable data too.  Parts
	 * wait for their parents until nothing else makes progress.
	 */
	for (phase = 0; phase < 2; phase++) {
		defer = true;
		do {
			progress = false;
			waited = false;
			for (i = 0; i < unit->nr_pre; i++) {
				if (st->sect_state[i] != SECT_UNMATCHED)
					continue;
				if (!phase &&
				    (unit->pre[i].flags & KSPLICE_SECT_DATA))
					continue;
				if (defer && part_waits(&m, i)) {
					waited = true;
					continue;
				}
				ret = match_sect(&m, i, &failed);
				if (ret < 0)
					goto out_free;
				if (failed) {
					update->cause = KSPLICE_CAUSE_no_match;
					ret = -ENOEXEC;
					goto out_free;
				}
				if (ret)
					progress = true;
			}
			if (!progress && waited) {
				defer = false;
				progress = true;
			}
		} while (progress);
	}

	for (i = 0; i < unit->nr_funcs; i++) {
		u32 idx = unit->funcs[i].pre_sect;

		if (idx >= unit->nr_pre)
			goto out_bad_free;
		if (st->sect_state[idx] == SECT_MATCHED)
			continue;
		ksplice_err(update,
			    "failed_to_find: unit '%s' function '%s': %s in '%s'\n",
			    unit->name, unit->funcs[i].name,
			    st->cands[unit->pre[idx].sym].nr ?
			    "several candidates match" : "no candidate",
			    unit->target);
		update->cause = KSPLICE_CAUSE_failed_to_find;
		ret = -ENOENT;
		goto out_free;
	}
	ret = 0;
	goto out_free;

out_bad_free:
	kvfree(m.tmp);
	kvfree(m.parent);
	kvfree(m.sym_sect);
	kvfree(m.cls);
	kvfree(m.run);
out_bad:
	ksplice_err(update, "bad_package: unit '%s' is malformed\n",
		    unit->name);
	update->cause = KSPLICE_CAUSE_bad_package;
	return -EINVAL;
out_oom:
	update->cause = KSPLICE_CAUSE_out_of_memory;
out_free:
	if (ret == -EINVAL && update->cause == KSPLICE_CAUSE_none) {
		ksplice_err(update, "bad_package: unit '%s' has a malformed relocation or site\n",
			    unit->name);
		update->cause = KSPLICE_CAUSE_bad_package;
	}
	kvfree(m.tmp);
	kvfree(m.parent);
	kvfree(m.sym_sect);
	kvfree(m.cls);
	kvfree(m.run);
	return ret;
}

/**
 * ksplice_run_pre() - run-pre matching for every unit of an update
 * @update: the update (cause is set on failure)
 * @states: per-unit state, candidates collected
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -errno with update->cause set.
 */
int ksplice_run_pre(struct ksplice_update *update,
		    struct ksplice_unit_state *states)
{
	unsigned int u;
	int ret;

	for (u = 0; u < update->nr_units; u++) {
		ret = match_unit(update, &states[u]);
		if (ret)
			return ret;
	}
	return 0;
}
