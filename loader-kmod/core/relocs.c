// SPDX-License-Identifier: GPL-2.0
/*
 * Late relocations: the references of new code to symbols of the running
 * kernel that the module loader cannot resolve (static functions and data,
 * non-exported globals).  Their fields hold a canary until apply writes
 * them, before the new code is reachable.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "internal.h"

/* The width in bytes of a field relocated with @type (0: none). */
int ksplice_reloc_width(u16 type)
{
	return type == KSPLICE_R_64 || type == KSPLICE_R_PC64 ? 8 :
	       type == KSPLICE_R_NONE ? 0 : 4;
}

/**
 * ksplice_reloc_field() - what a field relocated to a symbol holds
 * @type: enum ksplice_reloc_type, not KSPLICE_R_NONE
 * @where: the field
 * @s: the symbol's address
 * @addend: the relocation's addend
 * @value: the field's bytes (zero-extended for a 4-byte field)
 *
 * RETURNS: 0, or -ERANGE when the value does not fit the field.
 */
int ksplice_reloc_field(u16 type, unsigned long where, unsigned long s,
			s64 addend, u64 *value)
{
	u64 v = s + addend;

	if (type == KSPLICE_R_PC32 || type == KSPLICE_R_PC64)
		v -= where;
	if ((type == KSPLICE_R_PC32 || type == KSPLICE_R_32S) &&
	    (s64)v != (s32)v)
		return -ERANGE;
	if (type == KSPLICE_R_32 && v != (u32)v)
		return -ERANGE;
	*value = ksplice_reloc_width(type) == 4 ? (u32)v : v;
	return 0;
}

/*
 * The value of a late relocation's symbol: learned by run-pre matching, or
 * the only entry of a local name in the target, or of a global name that
 * nothing exports in a module's target (the module's own: defined in
 * another of its files, or __this_module, which every module has; its
 * link could bind the name to nothing else), or else the only kallsyms
 * entry of a global name outside patch modules.  Returns 0 or -ENOENT with
 * cause set.
 */
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
	if (!(s->flags & (KSPLICE_SYM_LOCAL | KSPLICE_SYM_SECTION |
			  KSPLICE_SYM_EXPORTED)) &&
	    !ksplice_unit_in_vmlinux(st->unit) && c->nr == 1) {
		*value = c->addr[0];
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
	ksplice_abort(update, KSPLICE_CAUSE_failed_to_find,
		      "unit '%s' symbol '%s': %s (%u kallsyms entries in '%s', %u outside patch modules)%s\n",
		      st->unit->name, s->name,
		      (s->flags & KSPLICE_SYM_LOCAL ? c->nr : c->nr_global) ?
		      "ambiguous" : "not found",
		      c->nr, st->unit->target, c->nr_global,
		      !(s->flags & KSPLICE_SYM_LOCAL) && !c->nr_global ?
		      "; if a module defines it, load that module first" : "");
	return -ENOENT;
}

/**
 * ksplice_reloc_ok() - whether a late relocation is well-formed
 * @unit: its unit
 * @r: the relocation
 * @owner: the patch module, which must hold the whole field
 */
bool ksplice_reloc_ok(const struct ksplice_unit *unit,
		      const struct ksplice_reloc *r, struct module *owner)
{
	unsigned long where = (unsigned long)r->where;
	int width = ksplice_reloc_width(r->type);

	return r->sym < unit->nr_syms && r->type <= KSPLICE_R_PC64 && width &&
	       !(r->flags & ~KSPLICE_RELOC_AT_LOAD) &&
	       ksplice_within_module_core(where, owner) &&
	       ksplice_within_module_core(where + width - 1, owner);
}

/* What the field of @r holds (zero-extended), and its canary. */
u64 ksplice_reloc_read(const struct ksplice_reloc *r, u64 *canary)
{
	int width = ksplice_reloc_width(r->type);
	u64 cur = 0;

	memcpy(&cur, r->where, width);
	*canary = width == 8 ? KSPLICE_CANARY : (u32)KSPLICE_CANARY;
	return cur;
}

/**
 * ksplice_write_field() - write a field of a patch module, read-only or not
 * @where: the field
 * @val: its new bytes
 * @width: their number
 *
 * RETURNS: 0, or -errno (-EIO when it does not read back).
 */
int ksplice_write_field(unsigned long where, const void *val, int width)
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
	unsigned long s;
	u64 cur, canary;
	int ret;

	if (!ksplice_reloc_ok(unit, r, update->owner))
		goto out_bad;
	ret = late_symbol(update, st, r->sym, &s);
	if (ret)
		return ret;
	cur = ksplice_reloc_read(r, &canary);
	if (cur != canary && (!written[i] || cur != written[i]))
		goto out_bad;
	if (ksplice_reloc_field(r->type, (unsigned long)r->where, s, r->addend,
				value))
		goto out_overflow;
	return ksplice_depend_on(update, s, unit->target);

out_overflow:
	ksplice_abort(update, KSPLICE_CAUSE_bad_package,
		      "unit '%s' relocation %u to '%s' overflows\n",
		      unit->name, i, unit->syms[r->sym].name);
	return -ERANGE;
out_bad:
	ksplice_abort(update, KSPLICE_CAUSE_bad_package,
		      "unit '%s' relocation %u is malformed or lost its canary\n",
		      unit->name, i);
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

		if (r->flags & KSPLICE_RELOC_AT_LOAD)
			continue;
		ret = ksplice_write_field((unsigned long)r->where,
					  &st->relocs[i],
					  ksplice_reloc_width(r->type));
		if (ret) {
			ksplice_abort(update, ksplice_errno_cause(ret),
				      "unit '%s': cannot write relocation %u (%d)\n",
				      unit->name, i, ret);
			return ret;
		}
		written[i] = st->relocs[i];
	}
	return 0;
}

/**
 * ksplice_late_relocs() - compute, check and maybe write late relocations
 * @update: the update
 * @states: its units' states after run-pre matching
 * @write: write them (apply), or only compute and check them (check)
 *
 * Computes and checks every late relocation of every unit not skipped
 * (whose target is in this pass), but those written when the patch module
 * loaded (KSPLICE_RELOC_AT_LOAD); then, with
 * @write, writes them into the new code (not reachable yet) and reads them
 * back.  Without @write the patch module and update->reloc_vals are left
 * as they were.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -errno with update->cause set.
 */
int ksplice_late_relocs(struct ksplice_update *update,
			struct ksplice_unit_state *states, bool write)
{
	unsigned int u, i;
	int ret;

	lockdep_assert_held(&ksplice_mutex);
	for (u = 0; u < update->nr_units; u++) {
		for (i = 0; !states[u].skip && i < update->units[u]->nr_relocs;
		     i++) {
			/* written when the patch module loaded (loadrelocs.c) */
			if (update->units[u]->relocs[i].flags &
			    KSPLICE_RELOC_AT_LOAD)
				continue;
			ret = reloc_value(update, &states[u], i,
					  update->reloc_vals[u],
					  &states[u].relocs[i]);
			if (ret)
				return ret;
		}
	}
	for (u = 0; write && u < update->nr_units; u++) {
		if (states[u].skip)
			continue;
		ret = write_relocs(update, &states[u], update->reloc_vals[u]);
		if (ret)
			return ret;
	}
	return 0;
}
