// SPDX-License-Identifier: GPL-2.0
/*
 * Late relocations written when the patch module loads
 * (KSPLICE_RELOC_AT_LOAD).  New code of a module unit can have table
 * entries that refer to a symbol of that module which the module does not
 * export: the key of a __jump_table or .static_call_sites entry (a
 * tracepoint of the module, a static key of the file), and the call of a
 * static call site.  The kernel's jump_label and static_call callbacks read
 * them at MODULE_STATE_COMING, long before apply; the module loader cannot
 * resolve them (it links a module only to exports, and resolves livepatch
 * relocations only against vmlinux while it loads).  Our module notifier is
 * first in the chain (modules.c): here it writes those fields, with the
 * only symbol of that name in the unit's module, before the kernel's
 * callbacks read them.
 *
 * The kernel then links the patch module's entries to that module's keys,
 * so the module must be loaded when the patch module loads (else the load
 * is refused) and must stay until the patch module goes: we hold a
 * reference on it (a pin) from the patch module's COMING to its GOING, as
 * the module loader holds a module whose exports another module uses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "compat.h"
#include "internal.h"

/* What a patch module's stub (loader-kmod/patch/stub.c) calls its units. */
#define KSPLICE_UNITS_SYMBOL	"ksplice_patch_units"

/* A module pinned while a patch module whose entries use it is loaded. */
struct ksplice_pin {
	struct list_head list;
	struct module *patch;
	struct module *target;
};

/* The pins; protected by ksplice_mutex. */
static LIST_HEAD(ksplice_pins);

/*
 * The last patch module whose load we refused: "<module> <token>\n<detail>"
 * (/sys/kernel/ksplice/refused_load), so that ksplice-apply can say why its
 * load failed; protected by ksplice_mutex.
 */
static char refused_load[512];

/* Refuse to load @patch: the kernel log and refused_load say why. */
__printf(3, 4)
static void refuse_load(struct module *patch, enum ksplice_abort_cause cause,
			const char *fmt, ...)
{
	va_list args;
	int n;

	lockdep_assert_held(&ksplice_mutex);
	n = scnprintf(refused_load, sizeof(refused_load), "%s %s\n",
		      patch->name, ksplice_cause_names[cause]);
	va_start(args, fmt);
	vscnprintf(refused_load + n, sizeof(refused_load) - n, fmt, args);
	va_end(args);
	pr_err("%s: refusing to load '%s': %s", ksplice_cause_names[cause],
	       patch->name, refused_load + n);
}

/**
 * ksplice_refused_load_show() - the last refused load, for sysfs
 * @buf: a sysfs page
 *
 * CONTEXT: Process context; takes ksplice_mutex.
 */
ssize_t ksplice_refused_load_show(char *buf)
{
	ssize_t n;

	mutex_lock(&ksplice_mutex);
	n = sysfs_emit(buf, "%s", refused_load);
	mutex_unlock(&ksplice_mutex);
	return n;
}

static bool is_live(struct module *mod)
{
	return READ_ONCE(mod->state) == MODULE_STATE_LIVE;
}

/*
 * The module @name, pinned for @patch (once per pair); NULL when it is not
 * loaded, or an error pointer.
 */
static struct module *pin_target(struct module *patch, const char *name)
{
	struct ksplice_pin *p;

	lockdep_assert_held(&ksplice_mutex);
	list_for_each_entry(p, &ksplice_pins, list)
		if (p->patch == patch && !strcmp(p->target->name, name))
			return p->target;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->target = ksplice_get_module(name, is_live);
	if (!p->target) {
		kfree(p);
		return NULL;
	}
	p->patch = patch;
	list_add(&p->list, &ksplice_pins);
	return p->target;
}

/**
 * ksplice_patch_going() - drop the pins of a patch module that goes
 * @mod: any module that goes (or whose load failed after its COMING)
 *
 * CONTEXT: ksplice_mutex held.
 */
void ksplice_patch_going(struct module *mod)
{
	struct ksplice_pin *p, *tmp;

	lockdep_assert_held(&ksplice_mutex);
	list_for_each_entry_safe(p, tmp, &ksplice_pins, list) {
		if (p->patch != mod)
			continue;
		module_put(p->target);
		list_del(&p->list);
		kfree(p);
	}
}

/* Write relocation @i of @unit, a unit of the patch module @patch. */
static int load_reloc(struct module *patch, const struct ksplice_unit *unit,
		      unsigned int i)
{
	const struct ksplice_reloc *r = &unit->relocs[i];
	unsigned long where = (unsigned long)r->where, s = 0;
	const char *name;
	struct module *target;
	u64 canary, val;
	unsigned int nr;
	int ret;

	if (!ksplice_reloc_ok(unit, r, patch) ||
	    ksplice_unit_in_vmlinux(unit)) {
		refuse_load(patch, KSPLICE_CAUSE_bad_package,
			    "unit '%s' load-time relocation %u is malformed\n",
			    unit->name, i);
		return -EINVAL;
	}
	name = unit->syms[r->sym].name;
	target = pin_target(patch, unit->target);
	if (IS_ERR(target)) {
		refuse_load(patch, KSPLICE_CAUSE_out_of_memory,
			    "no memory to pin module '%s'\n", unit->target);
		return PTR_ERR(target);
	}
	if (!target) {
		refuse_load(patch, KSPLICE_CAUSE_target_not_loaded,
			    "unit '%s' has table entries that refer to '%s' of module '%s', which the kernel links when the patch module loads; load '%s' first\n",
			    unit->name, name, unit->target, unit->target);
		return -ENODEV;
	}
	nr = ksplice_module_symbol(target, name, &s);
	if (nr != 1) {
		refuse_load(patch, KSPLICE_CAUSE_failed_to_find,
			    "unit '%s' symbol '%s': %s (%u kallsyms entries in '%s')\n",
			    unit->name, name, nr ? "ambiguous" : "not found",
			    nr, unit->target);
		return -ENOENT;
	}
	if (ksplice_reloc_read(r, &canary) != canary) {
		refuse_load(patch, KSPLICE_CAUSE_bad_package,
			    "unit '%s' load-time relocation %u lost its canary\n",
			    unit->name, i);
		return -EINVAL;
	}
	if (ksplice_reloc_field(r->type, where, s, r->addend, &val)) {
		refuse_load(patch, KSPLICE_CAUSE_bad_package,
			    "unit '%s' relocation %u to '%s' overflows\n",
			    unit->name, i, name);
		return -ERANGE;
	}
	ret = ksplice_write_field(where, &val, ksplice_reloc_width(r->type));
	if (ret)
		refuse_load(patch, ksplice_errno_cause(ret),
			    "unit '%s': cannot write load-time relocation %u (%d)\n",
			    unit->name, i, ret);
	return ret;
}

/* The units of @mod, NULL-terminated, or NULL if it is no patch module. */
static struct ksplice_unit *const *units_of(struct module *mod)
{
	unsigned long addr = 0;

	if (ksplice_module_symbol(mod, KSPLICE_UNITS_SYMBOL, &addr) != 1 ||
	    !ksplice_within_module_core(addr, mod))
		return NULL;
	return (struct ksplice_unit *const *)addr;
}

/**
 * ksplice_patch_coming() - write a coming patch module's load-time
 * relocations
 * @mod: any module that comes (MODULE_STATE_COMING)
 *
 * Nothing for a module that is not a patch module, or has none.  On an
 * error the pins taken are dropped; the caller refuses the load.
 *
 * CONTEXT: ksplice_mutex held; might sleep.
 * RETURNS: 0, or -errno (the kernel log and refused_load say why).
 */
int ksplice_patch_coming(struct module *mod)
{
	struct ksplice_unit *const *units = units_of(mod);
	unsigned int u, i;
	int ret = 0;

	lockdep_assert_held(&ksplice_mutex);
	if (units)
		refused_load[0] = '\0';
	for (u = 0; units && units[u] && !ret; u++) {
		const struct ksplice_unit *unit = units[u];

		if (ksplice_check_unit(unit)) {
			refuse_load(mod, KSPLICE_CAUSE_bad_package,
				    "unit %u is malformed or of another ABI version\n",
				    u);
			ret = -EINVAL;
			break;
		}
		for (i = 0; i < unit->nr_relocs && !ret; i++)
			if (unit->relocs[i].flags & KSPLICE_RELOC_AT_LOAD)
				ret = load_reloc(mod, unit, i);
	}
	if (ret)
		ksplice_patch_going(mod);
	return ret;
}
