/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run-pre matching, shared by the search over sections and candidates
 * (runpre.c) and the comparison of one candidate with live memory
 * (compare.c).
 */
#ifndef KSPLICE_RUNPRE_H
#define KSPLICE_RUNPRE_H

#include "internal.h"

/* A tentative symbol value, committed only if the candidate is chosen. */
struct ksplice_tmpval {
	u32 sym;
	unsigned long value;
};

/* Kinds of struct ksplice_miss. */
enum ksplice_miss_kind {
	KSPLICE_MISS_OTHER,	/* only why */
	KSPLICE_MISS_BYTES,	/* compared pre bytes (want) differ from live */
	KSPLICE_MISS_SITE,	/* a site holds no form of its kind */
	KSPLICE_MISS_VALUE,	/* a relocation implies another symbol value */
	KSPLICE_MISS_STRING,	/* a referenced merged string differs */
};

#define KSPLICE_MISS_BYTES_SHOWN	8
#define KSPLICE_MISS_MAX		32	/* site or string bytes kept */

/* Why a candidate does not match: where, and what was expected and found. */
struct ksplice_miss {
	u32 off;			/* in the pre section */
	const char *why;
	enum ksplice_miss_kind kind;
	u16 site;			/* MISS_SITE: enum ksplice_site_kind */
	const u8 *want;			/* pre bytes, or the pre string */
	u8 want_len;
	u8 found_len;			/* 0 for an unreadable string */
	u8 found[KSPLICE_MISS_MAX];	/* live bytes, or the live string */
	u32 sym;			/* MISS_VALUE: the relocation's symbol */
	unsigned long known, implied;	/* MISS_VALUE: its value, and the live */
};

/* Matching one unit. */
struct ksplice_match {
	struct ksplice_update *update;
	struct ksplice_unit_state *st;
	const struct ksplice_pre_sect *sect;
	unsigned long addr;		/* candidate being tried */
	u8 *run;			/* live bytes */
	u8 *cls;			/* class of each byte */
	int *sym_sect;			/* symbol -> pre section, or -1 */
	int *parent;			/* pre section -> its parent's, or -1 */
	struct ksplice_tmpval *tmp;
	unsigned int nr_tmp, max_tmp;
	struct ksplice_miss miss;	/* why the candidate failed */
	unsigned int *nr_mismatch;	/* sections that differ, in all units */
};

/* Classes of pre bytes (m->cls). */
#define BYTE_CMP	0	/* compared */
#define BYTE_RELOC	1	/* a relocation's field */
#define BYTE_SITE	2	/* a site: its kind's check decides */

/* Return codes of ksplice_try_match() besides 0 and -errno. */
#define KSPLICE_MATCH_DIFFERS	1	/* bytes differ: drop the candidate */
#define KSPLICE_MATCH_UNREADABLE 2	/* no memory there */
#define KSPLICE_MATCH_KPROBE	3	/* a kprobe sits on a differing byte */

int ksplice_try_match(struct ksplice_match *m);
int ksplice_check_reloc(struct ksplice_match *m,
			const struct ksplice_pre_reloc *r, u32 run_off);
int ksplice_note_value(struct ksplice_match *m, u32 sym, unsigned long v,
		       u32 off);

/* compare_insn.c */
int ksplice_try_insns(struct ksplice_match *m);

#endif /* KSPLICE_RUNPRE_H */
