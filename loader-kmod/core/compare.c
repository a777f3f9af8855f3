// SPDX-License-Identifier: GPL-2.0
/*
 * Whether one candidate address holds a pre section: every byte outside
 * relocations and sites equal, every site a legitimate form of its kind,
 * every relocation's live field implying a symbol value that agrees with
 * what is known (or a merged string equal to the pre one).  When it does
 * not, what was expected and what was found, for the no_match report.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>
#include "runpre.h"

#define MAX_STRING	256

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

static int fail(struct ksplice_match *m, u32 off, const char *why)
{
	m->miss.off = off;
	m->miss.why = why;
	m->miss.kind = KSPLICE_MISS_OTHER;
	return KSPLICE_MATCH_DIFFERS;
}

/* Pre and live bytes differ at @off: keep up to @len of each. */
static int fail_bytes(struct ksplice_match *m, u32 off, u32 len,
		      enum ksplice_miss_kind kind, const char *why)
{
	fail(m, off, why);
	len = min3(len, m->sect->size - off, (u32)KSPLICE_MISS_MAX);
	m->miss.kind = kind;
	m->miss.want = m->sect->data + off;
	m->miss.want_len = len;
	m->miss.found_len = len;
	memcpy(m->miss.found, m->run + off, len);
	return KSPLICE_MATCH_DIFFERS;
}

static int fail_site(struct ksplice_match *m, const struct ksplice_site *site,
		     u32 len)
{
	fail_bytes(m, site->offset, len, KSPLICE_MISS_SITE,
		   "site holds unexpected bytes");
	m->miss.site = site->kind;
	return KSPLICE_MATCH_DIFFERS;
}

static int fail_value(struct ksplice_match *m, u32 off, u32 sym,
		      unsigned long known, unsigned long implied)
{
	fail(m, off, "symbol value contradicts");
	m->miss.kind = KSPLICE_MISS_VALUE;
	m->miss.sym = sym;
	m->miss.known = known;
	m->miss.implied = implied;
	return KSPLICE_MATCH_DIFFERS;
}

/* @want (@len bytes) is the pre string; @found the live one, or NULL. */
static int fail_string(struct ksplice_match *m, u32 off, const char *why,
		       const char *want, size_t len, const char *found)
{
	fail(m, off, why);
	m->miss.kind = KSPLICE_MISS_STRING;
	m->miss.want = want;
	m->miss.want_len = min_t(size_t, len, KSPLICE_MISS_MAX);
	m->miss.found_len = 0;
	if (found) {
		m->miss.found_len = min_t(size_t, strnlen(found, len),
					  KSPLICE_MISS_MAX);
		memcpy(m->miss.found, found, m->miss.found_len);
	}
	return KSPLICE_MATCH_DIFFERS;
}

/*
 * A reference to a merged string: compare the string it points to.  The
 * live field is at @run_off (r->offset unless instructions before it were
 * sized differently: compare_insn.c).
 */
static int check_string(struct ksplice_match *m,
			const struct ksplice_pre_reloc *r,
			const struct ksplice_pre_sect *target, u32 run_off)
{
	unsigned long p = m->addr + run_off, s;
	const char *want;
	char buf[MAX_STRING];
	size_t len;
	long off;

	s = infer(r->type, m->run + run_off, p, r->addend);
	/*
	 * rip-relative: the field ends the instruction (A = off - 4).  The
	 * string is string_off bytes before the place referred to (abi.h).
	 */
	off = r->type == KSPLICE_R_PC32 || r->type == KSPLICE_R_PC64 ?
	      r->addend + 4 : r->addend;
	off -= r->string_off;
	if (off < 0 || off >= target->size)
		return fail(m, r->offset, "string reference out of range");
	want = (const char *)target->data + off;
	len = strnlen(want, target->size - off);
	if (len >= sizeof(buf) || off + len >= target->size)
		return 0;	/* too long to check: relocation still matched */
	if (copy_from_kernel_nofault(buf, (void *)(s + off), len + 1))
		return fail_string(m, r->offset, "string unreadable", want,
				   len, NULL);
	if (memcmp(buf, want, len + 1))
		return fail_string(m, r->offset, "string differs", want, len,
				   buf);
	return 0;
}

/**
 * ksplice_note_value() - a value one candidate implies for a symbol
 * @m: the matching state
 * @sym: the symbol
 * @v: its value, as the candidate implies it
 * @off: where in the pre section (for the report)
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: 0, or KSPLICE_MATCH_DIFFERS when it contradicts a known value.
 */
int ksplice_note_value(struct ksplice_match *m, u32 sym, unsigned long v,
		       u32 off)
{
	struct ksplice_symval *val = &m->st->vals[sym];
	unsigned int i;

	if (val->resolved) {
		if (!same_value(val->value, v))
			return fail_value(m, off, sym, val->value, v);
		return 0;
	}
	for (i = 0; i < m->nr_tmp; i++) {
		if (m->tmp[i].sym != sym)
			continue;
		if (!same_value(m->tmp[i].value, v))
			return fail_value(m, off, sym, m->tmp[i].value, v);
		return 0;
	}
	if (m->nr_tmp == m->max_tmp)
		return fail(m, off, "too many symbols");
	m->tmp[m->nr_tmp].sym = sym;
	m->tmp[m->nr_tmp].value = v;
	m->nr_tmp++;
	return 0;
}

static int check_sites(struct ksplice_match *m)
{
	const struct ksplice_pre_sect *sect = m->sect;
	unsigned int i, len;

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
			return fail_site(m, site, len);
	}
	return 0;
}

/**
 * ksplice_check_reloc() - what a pre relocation's live field implies
 * @m: the matching state; m->run holds the live bytes
 * @r: the relocation
 * @run_off: where its field is in m->run (r->offset, unless instructions
 *	before it were sized differently: compare_insn.c)
 *
 * The symbol value the field implies is noted in m->tmp (or compared with
 * the known one); a reference to a merged string compares the string.
 * Relocations inside a site are left to the site's check.
 *
 * CONTEXT: ksplice_mutex held.
 * RETURNS: 0, KSPLICE_MATCH_DIFFERS with m->miss set, -EINVAL if malformed.
 */
int ksplice_check_reloc(struct ksplice_match *m,
			const struct ksplice_pre_reloc *r, u32 run_off)
{
	const struct ksplice_unit *unit = m->st->unit;
	bool data = m->sect->flags & KSPLICE_SECT_DATA;
	unsigned int sz = reloc_size(r->type);
	unsigned long v;
	int target;

	if (!sz || r->offset + sz > m->sect->size || r->sym >= unit->nr_syms)
		return -EINVAL;
	if (m->cls[r->offset] == BYTE_SITE)
		return 0;	/* the site's own check covers it */
	memset(m->cls + r->offset, BYTE_RELOC, sz);
	v = infer(r->type, m->run + run_off, m->addr + run_off, r->addend);
	target = m->sym_sect[r->sym];
	if (target >= 0 && (unit->pre[target].flags & KSPLICE_SECT_STRING))
		return check_string(m, r, &unit->pre[target], run_off);
	if (unit->syms[r->sym].flags & KSPLICE_SYM_SECTION)
		return 0;	/* merged/anonymous: nothing to learn */
	if (data && !m->st->vals[r->sym].resolved)
		return 0;	/* writable data drifts: only check */
	return ksplice_note_value(m, r->sym, v, r->offset);
}

/* How many bytes from @i on are compared ones, up to @max. */
static u32 cmp_run(const struct ksplice_match *m, u32 i, u32 max)
{
	u32 n = 0;

	while (n < max && i + n < m->sect->size && m->cls[i + n] == BYTE_CMP)
		n++;
	return n;
}

/* The bytes outside sites and relocations; a kprobe is not a mismatch. */
static int check_bytes(struct ksplice_match *m)
{
	const struct ksplice_pre_sect *sect = m->sect;
	unsigned int i, j;

	for (i = 0; i < sect->size; i++) {
		if (m->cls[i] != BYTE_CMP || m->run[i] == sect->data[i])
			continue;
		for (j = 0; j < 16 && j <= i; j++)
			if (ksplice_kprobe_at(m->addr + i - j, 1)) {
				fail(m, i - j, "kprobe");
				return KSPLICE_MATCH_KPROBE;
			}
		return fail_bytes(m, i, cmp_run(m, i, KSPLICE_MISS_BYTES_SHOWN),
				  KSPLICE_MISS_BYTES, "bytes differ");
	}
	return 0;
}

/* Byte for byte: every byte at the same offset in the pre and live code. */
static int try_bytes(struct ksplice_match *m)
{
	const struct ksplice_pre_sect *sect = m->sect;
	unsigned int i;
	int ret;

	m->nr_tmp = 0;
	if (copy_from_kernel_nofault(m->run, (void *)m->addr, sect->size))
		return KSPLICE_MATCH_UNREADABLE;
	memset(m->cls, BYTE_CMP, sect->size);

	ret = check_sites(m);
	if (ret)
		return ret;
	for (i = 0; i < sect->nr_relocs; i++) {
		ret = ksplice_check_reloc(m, &sect->relocs[i],
					  sect->relocs[i].offset);
		if (ret)
			return ret;
	}
	if (sect->flags & KSPLICE_SECT_DATA)
		return 0;
	return check_bytes(m);
}

/**
 * ksplice_try_match() - compare the candidate m->addr with m->sect
 * @m: the matching state: section, candidate, buffers
 *
 * Byte for byte, or, for code that differs so, instruction by instruction
 * (compare_insn.c): the assembler may have sized the running code's
 * branches differently.  Symbol values the candidate implies are noted in
 * m->tmp, to be committed if it is chosen.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0 if it matches; KSPLICE_MATCH_DIFFERS with m->miss set (the
 * first difference byte for byte), KSPLICE_MATCH_UNREADABLE or
 * KSPLICE_MATCH_KPROBE (m->miss.off) if not; -EINVAL for a malformed
 * relocation or site; -ENOMEM.
 */
int ksplice_try_match(struct ksplice_match *m)
{
	struct ksplice_miss miss;
	int ret, walk;

	ret = try_bytes(m);
	if (ret != KSPLICE_MATCH_DIFFERS || !(m->sect->flags & KSPLICE_SECT_TEXT))
		return ret;
	miss = m->miss;
	walk = ksplice_try_insns(m);
	if (walk <= 0)
		return walk;
	m->miss = miss;
	return ret;
}
