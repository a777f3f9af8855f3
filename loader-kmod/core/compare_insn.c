// SPDX-License-Identifier: GPL-2.0
/*
 * Matching code whose branches the assembler sized differently.
 *
 * With -ffunction-sections every function is a section of its own, so GAS
 * leaves a jump to another function of the unit as "jmp rel32" or "jcc
 * rel32" with a relocation.  The kernel is built without it: the two
 * functions share .text, and GAS relaxes the jump to "jmp rel8"/"jcc
 * rel8" when the target is near (btf_free_rcu's tail call to btf_free in
 * kernel/bpf/btf.o; about one object in fifty).  The running function is
 * then shorter from that point on; its later branches inside it may be
 * sized differently too, and the nops that align loop heads change.
 *
 * So code that differs byte for byte is compared again instruction by
 * instruction, decoded with the kernel's own decoder, the pre and the live
 * code each at its own offset:
 *   - a branch may be short or near, if it is the same branch (jmp, call,
 *     or jcc with the same condition) to the same place: its relocation's
 *     symbol, whose value the live target implies, or, inside the section,
 *     the live instruction that corresponds to the pre target;
 *   - a run of nops on either side is padding;
 *   - a site is checked by its kind at its live offset;
 *   - any other instruction has the same length and bytes, and its
 *     relocations are checked at their live offsets.
 * What this accepts is the same code.  A difference, or an instruction the
 * decoder does not know, is a mismatch (reported as the byte comparison
 * found it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/insn.h>
#include "runpre.h"

/* Live bytes read past the pre size: the live code may be longer. */
#define RUN_SLACK	64

/* map[]: pre instruction start -> live offset; the flag: a branch there. */
#define NO_INSN		U32_MAX
#define BRANCH		0x80000000U

struct walk {
	struct ksplice_match *m;
	const u8 *pre;
	u32 size;		/* of the pre section */
	u8 *run;
	u32 run_size;		/* live bytes read */
	u32 *map;		/* size + 1 entries */
	u32 site, reloc;	/* next site and relocation, in offset order */
};

/* Kinds of relative branch; 0 = none. */
#define BR_JMP		0x100
#define BR_CALL		0x101
#define BR_OTHER	0x102	/* jrcxz, loop: rel8 only */

/* The branch kind of @insn: BR_*, or 0x70 + cc for a jcc. */
static unsigned int branch_kind(const struct insn *insn)
{
	u8 op = insn->opcode.bytes[0];

	if (op == 0xeb || op == 0xe9)
		return BR_JMP;
	if (op == 0xe8)
		return BR_CALL;
	if (op >= 0x70 && op <= 0x7f)
		return op;
	if (op == 0x0f && insn->opcode.nbytes == 2 &&
	    (insn->opcode.bytes[1] & 0xf0) == 0x80)
		return 0x70 + (insn->opcode.bytes[1] & 0xf);
	if (op >= 0xe0 && op <= 0xe3)
		return BR_OTHER;
	return 0;
}

/* nop, xchg %ax,%ax, nopl/nopw: what GAS pads with. */
static bool is_nop(const struct insn *insn)
{
	u8 op = insn->opcode.bytes[0];

	if (op == 0x90)
		return !insn->rex_prefix.nbytes;
	return op == 0x0f && insn->opcode.nbytes == 2 &&
	       insn->opcode.bytes[1] == 0x1f;
}

static int decode(struct insn *insn, const u8 *buf, u32 off, u32 end)
{
	if (off >= end)
		return -EINVAL;
	return ksplice_insn_decode(insn, buf + off, end - off);
}

static const struct ksplice_site *site_at(struct walk *w, u32 pi)
{
	const struct ksplice_pre_sect *sect = w->m->sect;

	if (w->site < sect->nr_sites && sect->sites[w->site].offset == pi)
		return &sect->sites[w->site];
	return NULL;
}

/* Whether a site or relocation was passed over: it is inside an insn. */
static bool skipped(struct walk *w, u32 pi)
{
	const struct ksplice_pre_sect *sect = w->m->sect;

	return (w->site < sect->nr_sites && sect->sites[w->site].offset < pi) ||
	       (w->reloc < sect->nr_relocs &&
		sect->relocs[w->reloc].offset < pi);
}

/*
 * The site at @pi, against the live bytes at @ri: *@pi and *@ri move past
 * it, unless it is one that is compared as an ordinary instruction (a bug
 * or exception-table site, of length 0).
 */
static int walk_site(struct walk *w, const struct ksplice_site *site,
		     u32 *pi, u32 *ri)
{
	struct ksplice_match *m = w->m;
	u32 len = ksplice_site_len(site, w->pre + *pi, w->size - *pi);

	w->site++;
	if (!len)
		return 0;
	if (*ri + len > w->run_size ||
	    ksplice_check_site(site, w->pre + *pi, w->run + *ri,
			       m->addr + *ri, m->addr, w->size))
		return KSPLICE_MATCH_DIFFERS;
	*pi += len;
	*ri += len;
	/* Relocations inside the site are the site's. */
	while (w->reloc < m->sect->nr_relocs &&
	       m->sect->relocs[w->reloc].offset < *pi)
		w->reloc++;
	return 0;
}

/*
 * A branch: the same kind, either length.  With a relocation (to another
 * section) the live target implies the symbol's value; without, the
 * target is checked against map[] once it is complete (check_targets()).
 */
static int walk_branch(struct walk *w, const struct insn *p,
		       const struct insn *r, u32 pi, u32 ri)
{
	struct ksplice_match *m = w->m;
	const struct ksplice_pre_sect *sect = m->sect;
	const struct ksplice_pre_reloc *rel;
	unsigned long target;

	if (branch_kind(p) != branch_kind(r))
		return KSPLICE_MATCH_DIFFERS;
	if (w->reloc >= sect->nr_relocs ||
	    sect->relocs[w->reloc].offset >= pi + p->length) {
		w->map[pi] |= BRANCH;
		return 0;
	}
	rel = &sect->relocs[w->reloc++];
	/* S + A - P in the last 4 bytes: the pre target is S + A + 4. */
	if (rel->type != KSPLICE_R_PC32 || p->immediate.nbytes != 4 ||
	    rel->offset != pi + p->length - 4 || rel->sym >= m->st->unit->nr_syms)
		return KSPLICE_MATCH_DIFFERS;
	if (m->st->unit->syms[rel->sym].flags & KSPLICE_SYM_SECTION)
		return KSPLICE_MATCH_DIFFERS;
	target = m->addr + ri + r->length + r->immediate.value;
	return ksplice_note_value(m, rel->sym, target - rel->addend - 4, pi);
}

/* Any other instruction: same length, same bytes outside relocations. */
static int walk_insn(struct walk *w, const struct insn *p,
		     const struct insn *r, u32 pi, u32 ri)
{
	struct ksplice_match *m = w->m;
	const struct ksplice_pre_sect *sect = m->sect;
	u32 i;
	int ret;

	if (p->length != r->length)
		return KSPLICE_MATCH_DIFFERS;
	while (w->reloc < sect->nr_relocs &&
	       sect->relocs[w->reloc].offset < pi + p->length) {
		const struct ksplice_pre_reloc *rel = &sect->relocs[w->reloc++];

		ret = ksplice_check_reloc(m, rel, ri + rel->offset - pi);
		if (ret)
			return ret;
	}
	for (i = 0; i < p->length; i++)
		if (m->cls[pi + i] == BYTE_CMP && w->pre[pi + i] != w->run[ri + i])
			return KSPLICE_MATCH_DIFFERS;
	return 0;
}

/* Skips the nops at *@pi and at *@ri: alignment padding. */
static int skip_nops(struct walk *w, u32 *pi, u32 *ri)
{
	struct insn insn;

	while (*pi < w->size && !site_at(w, *pi) &&
	       !decode(&insn, w->pre, *pi, w->size) && is_nop(&insn)) {
		w->map[*pi] = NO_INSN;	/* no branch may land in padding */
		*pi += insn.length;
	}
	while (!decode(&insn, w->run, *ri, w->run_size) && is_nop(&insn))
		*ri += insn.length;
	return skipped(w, *pi) ? KSPLICE_MATCH_DIFFERS : 0;
}

/* One pass over the pre code: everything but branch targets inside it. */
static int walk_code(struct walk *w)
{
	struct insn p, r;
	u32 pi = 0, ri = 0;
	const struct ksplice_site *site;
	bool nops;
	int ret;

	while (pi < w->size) {
		if (skipped(w, pi))
			return KSPLICE_MATCH_DIFFERS;
		w->map[pi] = ri;
		site = site_at(w, pi);
		if (site) {
			u32 at = pi;

			ret = walk_site(w, site, &pi, &ri);
			if (ret)
				return ret;
			if (pi != at)
				continue;
		}
		if (decode(&p, w->pre, pi, w->size) ||
		    decode(&r, w->run, ri, w->run_size))
			return KSPLICE_MATCH_DIFFERS;
		nops = is_nop(&p) || is_nop(&r);
		if (nops && !site) {
			ret = skip_nops(w, &pi, &ri);
			if (ret)
				return ret;
			continue;
		}
		if (branch_kind(&p))
			ret = walk_branch(w, &p, &r, pi, ri);
		else
			ret = walk_insn(w, &p, &r, pi, ri);
		if (ret)
			return ret;
		pi += p.length;
		ri += r.length;
		if (ri > w->run_size)
			return KSPLICE_MATCH_DIFFERS;
	}
	if (skipped(w, w->size))
		return KSPLICE_MATCH_DIFFERS;
	w->map[w->size] = ri;
	return 0;
}

/* Branches inside the section land on the live twin of their pre target. */
static int check_targets(struct walk *w)
{
	struct insn p, r;
	u32 pi, ri;
	s64 t, rt;

	for (pi = 0; pi < w->size; pi++) {
		if (w->map[pi] == NO_INSN || !(w->map[pi] & BRANCH))
			continue;
		ri = w->map[pi] & ~BRANCH;
		if (decode(&p, w->pre, pi, w->size) ||
		    decode(&r, w->run, ri, w->run_size))
			return KSPLICE_MATCH_DIFFERS;
		t = (s64)pi + p.length + p.immediate.value;
		rt = (s64)ri + r.length + r.immediate.value;
		if (t < 0 || t > w->size || w->map[t] == NO_INSN ||
		    (w->map[t] & ~BRANCH) != rt)
			return KSPLICE_MATCH_DIFFERS;
	}
	return 0;
}

/**
 * ksplice_try_insns() - compare a text candidate instruction by instruction
 * @m: the matching state, m->sect a text section
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0 if the candidate holds the same code; KSPLICE_MATCH_DIFFERS
 * if not (m->miss is the caller's), or when there is no decoder;
 * -EINVAL for a malformed relocation or site; -ENOMEM.
 */
int ksplice_try_insns(struct ksplice_match *m)
{
	const struct ksplice_pre_sect *sect = m->sect;
	struct walk w = { .m = m, .pre = sect->data, .size = sect->size };
	unsigned int i;
	int ret;

	for (i = 1; i < sect->nr_sites; i++)
		if (sect->sites[i].offset < sect->sites[i - 1].offset)
			return KSPLICE_MATCH_DIFFERS;
	for (i = 1; i < sect->nr_relocs; i++)
		if (sect->relocs[i].offset < sect->relocs[i - 1].offset)
			return KSPLICE_MATCH_DIFFERS;
	w.run = kvmalloc(sect->size + RUN_SLACK, GFP_KERNEL);
	w.map = kvmalloc_array(sect->size + 1, sizeof(*w.map), GFP_KERNEL);
	ret = -ENOMEM;
	if (!w.run || !w.map)
		goto out;
	w.run_size = sect->size + RUN_SLACK;
	if (copy_from_kernel_nofault(w.run, (void *)m->addr, w.run_size)) {
		w.run_size = sect->size;
		ret = KSPLICE_MATCH_DIFFERS;
		if (copy_from_kernel_nofault(w.run, (void *)m->addr, w.run_size))
			goto out;
	}
	memset(w.map, 0xff, (sect->size + 1) * sizeof(*w.map));
	/* Relocations inside sites are left to the sites' checks. */
	memset(m->cls, BYTE_CMP, sect->size);
	for (i = 0; i < sect->nr_sites; i++) {
		const struct ksplice_site *s = &sect->sites[i];
		u32 len;

		if (s->offset >= sect->size) {
			ret = -EINVAL;
			goto out;
		}
		len = ksplice_site_len(s, sect->data + s->offset,
				       sect->size - s->offset);
		memset(m->cls + s->offset, BYTE_SITE, len);
	}
	m->nr_tmp = 0;
	ret = walk_code(&w);
	if (!ret)
		ret = check_targets(&w);
out:
	kvfree(w.map);
	kvfree(w.run);
	return ret;
}
