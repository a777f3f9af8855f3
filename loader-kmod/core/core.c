// SPDX-License-Identifier: GPL-2.0
/*
 * ksplice core: registration of updates by patch modules, and the sysfs
 * interface /sys/kernel/ksplice/<id>/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "compat.h"
#include "internal.h"
#include "register.h"

/*
 * Protects ksplice_updates, the stage and every other mutable field of each
 * update, and serializes all our writes to kernel text.  Held across a whole
 * apply, check or undo, including the sleeps between tries, so a check
 * never sees an apply or undo half done.  sysfs show functions of immutable
 * fields (description) do not take it.
 */
DEFINE_MUTEX(ksplice_mutex);
LIST_HEAD(ksplice_updates);

/* Indexed by the enum: KSPLICE_ABORT_CAUSES defines both. */
#define KSPLICE_CAUSE_NAME(token, sentence)	\
	[KSPLICE_CAUSE_##token] = #token,
const char *const ksplice_cause_names[] = {
	KSPLICE_ABORT_CAUSES(KSPLICE_CAUSE_NAME)
};
#undef KSPLICE_CAUSE_NAME

static const char *const stage_names[] = {
	[KSPLICE_STAGE_LOADED] = "loaded",
	[KSPLICE_STAGE_APPLIED] = "applied",
	[KSPLICE_STAGE_REVERSED] = "reversed",
};

static struct kobject *ksplice_kobj;

/* /sys/kernel/ksplice/refused_load: why the last patch module did not load. */
static ssize_t refused_load_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return ksplice_refused_load_show(buf);
}

static struct kobj_attribute refused_load_attr = __ATTR_RO_MODE(refused_load,
								0400);

#define to_update(k) container_of(k, struct ksplice_update, kobj)

/* @show(update, buf) of @kobj's update, under ksplice_mutex. */
static ssize_t show_locked(struct kobject *kobj, char *buf,
			   ssize_t (*show)(struct ksplice_update *, char *))
{
	ssize_t n;

	mutex_lock(&ksplice_mutex);
	n = show(to_update(kobj), buf);
	mutex_unlock(&ksplice_mutex);
	return n;
}

static ssize_t emit_stage(struct ksplice_update *update, char *buf)
{
	return sysfs_emit(buf, "%s\n", stage_names[update->stage]);
}

static ssize_t stage_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return show_locked(kobj, buf, emit_stage);
}

static ssize_t stage_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct ksplice_update *update = to_update(kobj);
	int ret;

	mutex_lock(&ksplice_mutex);
	if (sysfs_streq(buf, "apply") || sysfs_streq(buf, "applied")) {
		ret = ksplice_apply(update);
	} else if (sysfs_streq(buf, "check")) {
		ret = ksplice_check(update);
	} else if (sysfs_streq(buf, "undo") || sysfs_streq(buf, "reversed")) {
		ret = ksplice_undo(update);
	} else {
		ksplice_report_begin(update, false);
		ksplice_abort(update, KSPLICE_CAUSE_bad_state,
			      "unknown action; write apply, check or undo\n");
		ret = -EINVAL;
	}
	mutex_unlock(&ksplice_mutex);
	return ret ? ret : count;
}

static ssize_t emit_abort_cause(struct ksplice_update *update, char *buf)
{
	return sysfs_emit(buf, "%s\n", ksplice_cause_names[update->cause]);
}

static ssize_t abort_cause_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, emit_abort_cause);
}

/* "<pid> <comm> <function>" per task that blocked the last attempt. */
static ssize_t emit_conflicts(struct ksplice_update *update, char *buf)
{
	ssize_t n = 0;
	unsigned int i;

	for (i = 0; i < update->nr_conflicts; i++) {
		struct ksplice_conflict *c = &update->conflicts[i];

		if (c->name)
			n += sysfs_emit_at(buf, n, "%d %s %s\n", c->pid, c->comm,
					   c->name);
		else
			n += sysfs_emit_at(buf, n, "%d %s %s\n", c->pid, c->comm,
					   c->addr == KSPLICE_CONFLICT_RUNNING ?
					   "(running)" : "(unreliable-stack)");
	}
	if (update->conflicts_truncated)
		n += sysfs_emit_at(buf, n, "...\n");
	return n;
}

static ssize_t conflicts_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, emit_conflicts);
}

static ssize_t detail_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return show_locked(kobj, buf, ksplice_detail_show);
}

/* Binary only in name: text, but longer than a page when it must be. */
static ssize_t match_read(struct file *file, struct kobject *kobj,
			  struct bin_attribute *attr, char *buf, loff_t off,
			  size_t count)
{
	struct ksplice_update *update = to_update(kobj);
	ssize_t n;

	mutex_lock(&ksplice_mutex);
	n = memory_read_from_buffer(buf, count, &off, update->match,
				    update->match_len);
	mutex_unlock(&ksplice_mutex);
	return n;
}

static ssize_t description_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_update(kobj)->description);
}

static ssize_t emit_pause_ns(struct ksplice_update *update, char *buf)
{
	return sysfs_emit(buf, "%llu\n", update->pause_ns);
}

static ssize_t pause_ns_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, emit_pause_ns);
}

static ssize_t timings_show(struct kobject *kobj,
			    struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, ksplice_timings_show);
}

static ssize_t functions_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct ksplice_update *update = to_update(kobj);
	unsigned int u, f;
	ssize_t n = 0;

	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];

		for (f = 0; f < unit->nr_funcs; f++)
			n += sysfs_emit_at(buf, n, "%s %s\n", unit->funcs[f].name,
					   unit->target);
	}
	return n;
}

/* "<kind> <function>" per hook, in unit and registration order. */
static ssize_t hooks_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct ksplice_update *update = to_update(kobj);
	unsigned int u, h;
	ssize_t n = 0;

	for (u = 0; u < update->nr_units; u++) {
		const struct ksplice_unit *unit = update->units[u];

		for (h = 0; h < unit->nr_hooks; h++)
			n += sysfs_emit_at(buf, n, "%s %s\n",
					   ksplice_hook_names[unit->hooks[h].kind],
					   unit->hooks[h].name);
	}
	return n;
}

static ssize_t emit_retries(struct ksplice_update *update, char *buf)
{
	return sysfs_emit(buf, "%u\n", update->retries);
}

static ssize_t retries_show(struct kobject *kobj,
			    struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, emit_retries);
}

static ssize_t retries_store(struct kobject *kobj,
			     struct kobj_attribute *attr, const char *buf,
			     size_t count)
{
	struct ksplice_update *update = to_update(kobj);
	unsigned int v;
	int ret;

	ret = kstrtouint(buf, 0, &v);
	if (ret)
		return ret;
	if (v < 1 || v > 1000)
		return -ERANGE;
	mutex_lock(&ksplice_mutex);
	update->retries = v;
	mutex_unlock(&ksplice_mutex);
	return count;
}

/* Per target: "<name> loaded-patched|waiting|refused <token>|unpatched". */
static ssize_t targets_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return show_locked(kobj, buf, ksplice_targets_show);
}

static struct kobj_attribute stage_attr = __ATTR(stage, 0600, stage_show,
						 stage_store);
static struct kobj_attribute abort_cause_attr = __ATTR(abort_cause, 0400,
						       abort_cause_show, NULL);
static struct kobj_attribute conflicts_attr = __ATTR(conflicts, 0400,
						     conflicts_show, NULL);
static struct kobj_attribute detail_attr = __ATTR(detail, 0400, detail_show,
						  NULL);
static struct kobj_attribute description_attr = __ATTR(description, 0400,
						       description_show, NULL);
static struct kobj_attribute pause_ns_attr = __ATTR(pause_ns, 0400,
						    pause_ns_show, NULL);
static struct kobj_attribute timings_attr = __ATTR(timings, 0400,
						   timings_show, NULL);
static struct kobj_attribute functions_attr = __ATTR(functions, 0400,
						     functions_show, NULL);
static struct kobj_attribute hooks_attr = __ATTR(hooks, 0400, hooks_show,
						 NULL);
static struct kobj_attribute retries_attr = __ATTR(retries, 0600,
						   retries_show, retries_store);
static struct kobj_attribute targets_attr = __ATTR(targets, 0400,
						   targets_show, NULL);

static struct attribute *update_attrs[] = {
	&stage_attr.attr,
	&abort_cause_attr.attr,
	&conflicts_attr.attr,
	&detail_attr.attr,
	&description_attr.attr,
	&pause_ns_attr.attr,
	&timings_attr.attr,
	&functions_attr.attr,
	&hooks_attr.attr,
	&retries_attr.attr,
	&targets_attr.attr,
	NULL,
};

static BIN_ATTR(match, 0400, match_read, NULL, 0);

static struct bin_attribute *update_bin_attrs[] = {
	&bin_attr_match,
	NULL,
};

static const struct attribute_group update_group = {
	.attrs = update_attrs,
	.bin_attrs = update_bin_attrs,
};

static const struct attribute_group *update_groups[] = {
	&update_group,
	NULL,
};

static void free_update(struct ksplice_update *update)
{
	unsigned int u;

	if (update->reloc_vals)
		for (u = 0; u < update->nr_units; u++)
			kvfree(update->reloc_vals[u]);
	kfree(update->reloc_vals);
	kvfree(update->match);
	kfree(update->detail);
	kfree(update->conflicts);
	kfree(update->deps);
	kfree(update->jumps);
	ksplice_free_targets(update);
	kfree(update->units);
	kfree(update->description);
	kfree(update->id);
	kfree(update);
}

static void update_release(struct kobject *kobj)
{
	free_update(to_update(kobj));
}

static struct kobj_type update_ktype = {
	.release = update_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = update_groups,
};

static bool valid_id(const char *id)
{
	size_t i, n = strlen(id);

	if (!n || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum(id[i]) && id[i] != '_' && id[i] != '-' &&
		    id[i] != '.')
			return false;
	return id[0] != '.';
}

/*
 * Every pre section is of exactly one class, and the indices between the
 * tables are in range.  The differ writes text and the read-only data it
 * references, never init or exit code of vmlinux (its section table
 * classifies that apart), so the loader needs no section names.  A
 * module's init text is marked (KSPLICE_SECT_INIT, with KSPLICE_FUNC_INIT
 * on the function replaced in it): it exists only while the module comes.
 */
static int check_tables(const struct ksplice_unit *unit)
{
	const u32 classes = KSPLICE_SECT_TEXT | KSPLICE_SECT_RODATA |
			    KSPLICE_SECT_DATA | KSPLICE_SECT_STRING;
	bool vmlinux = ksplice_unit_in_vmlinux(unit);
	unsigned int i;

	for (i = 0; i < unit->nr_pre; i++) {
		u32 flags = unit->pre[i].flags;
		u32 class = flags & ~KSPLICE_SECT_INIT;

		if ((class & ~classes) || hweight32(class) != 1 ||
		    unit->pre[i].sym >= unit->nr_syms ||
		    ((flags & KSPLICE_SECT_INIT) &&
		     (vmlinux || class != KSPLICE_SECT_TEXT)))
			return -EINVAL;
	}
	for (i = 0; i < unit->nr_funcs; i++) {
		const struct ksplice_func *f = &unit->funcs[i];

		if (f->pre_sect >= unit->nr_pre ||
		    !(f->flags & KSPLICE_FUNC_INIT) !=
			    !(unit->pre[f->pre_sect].flags & KSPLICE_SECT_INIT))
			return -EINVAL;
	}
	/* Changed data is written as a module loads: never in vmlinux. */
	for (i = 0; i < unit->nr_data; i++) {
		const struct ksplice_data *d = &unit->data[i];

		if (vmlinux || !d->name || !d->image || !d->size)
			return -EINVAL;
	}
	return 0;
}

/**
 * ksplice_check_unit() - whether a unit of a patch module is well-formed
 * @unit: the unit
 *
 * RETURNS: 0, or -EINVAL.
 */
int ksplice_check_unit(const struct ksplice_unit *unit)
{
	if (!unit || unit->magic != KSPLICE_UNIT_MAGIC ||
	    unit->version != KSPLICE_ABI_VERSION || !unit->name ||
	    !unit->target)
		return -EINVAL;
	if ((unit->nr_syms && !unit->syms) || (unit->nr_pre && !unit->pre) ||
	    (unit->nr_funcs && !unit->funcs) ||
	    (unit->nr_relocs && !unit->relocs) ||
	    (unit->nr_hooks && !unit->hooks) ||
	    (unit->nr_data && !unit->data))
		return -EINVAL;
	return check_tables(unit);
}

/**
 * ksplice_do_register() - register an update (see ksplice_register_update)
 * @owner: the patch module (THIS_MODULE)
 * @id: the update id, [A-Za-z0-9_.-]{1,64}; names the sysfs directory
 * @description: free text
 * @units: the units the differ produced, one per compilation unit
 * @nr_units: their number
 *
 * The update starts in stage "loaded"; write "apply" to its stage file to
 * apply it, or "check" to find out whether it would apply.
 *
 * CONTEXT: Process context (module init); might sleep.
 * RETURNS: The update, or ERR_PTR(-EINVAL) for a malformed package or id,
 * ERR_PTR(-EEXIST) for a duplicate id, ERR_PTR(-ENOMEM).
 */
struct ksplice_update *ksplice_do_register(struct module *owner,
					   const char *id,
					   const char *description,
					   struct ksplice_unit *const *units,
					   unsigned int nr_units)
{
	struct ksplice_update *update, *u;
	unsigned int i, nr_funcs = 0;
	int ret;

	if (!id || !valid_id(id) || !units || !nr_units) {
		pr_err("bad_package: invalid update id or no units\n");
		return ERR_PTR(-EINVAL);
	}
	for (i = 0; i < nr_units; i++) {
		ret = ksplice_check_unit(units[i]);
		if (ret) {
			pr_err("'%s': bad_package: unit %u has a bad magic, ABI version, pointer or table index\n",
			       id, i);
			return ERR_PTR(-EINVAL);
		}
		if (ksplice_check_hooks(units[i], owner)) {
			pr_err("'%s': bad_package: %s: a hook has an unknown kind or is not in the patch module's text\n",
			       id, units[i]->name);
			return ERR_PTR(-EINVAL);
		}
	}

	update = kzalloc(sizeof(*update), GFP_KERNEL);
	if (!update)
		return ERR_PTR(-ENOMEM);
	update->owner = owner;
	update->nr_units = nr_units;
	update->retries = KSPLICE_DEFAULT_RETRIES;
	update->id = kstrdup(id, GFP_KERNEL);
	update->description = kstrdup(description ? description : "",
				      GFP_KERNEL);
	update->units = kmemdup(units, nr_units * sizeof(*units), GFP_KERNEL);
	update->reloc_vals = kcalloc(nr_units, sizeof(*update->reloc_vals),
				     GFP_KERNEL);
	update->detail = kzalloc(KSPLICE_DETAIL_SIZE, GFP_KERNEL);
	if (!update->id || !update->description || !update->units ||
	    !update->reloc_vals || !update->detail)
		goto out_free;
	for (i = 0; i < nr_units; i++) {
		update->reloc_vals[i] = kvcalloc(units[i]->nr_relocs + 1,
						 sizeof(u64), GFP_KERNEL);
		if (!update->reloc_vals[i])
			goto out_free;
		nr_funcs += units[i]->nr_funcs;
	}
	update->jumps = kcalloc(nr_funcs ? nr_funcs : 1,
				sizeof(*update->jumps), GFP_KERNEL);
	if (!update->jumps || ksplice_init_targets(update))
		goto out_free;

	mutex_lock(&ksplice_mutex);
	list_for_each_entry(u, &ksplice_updates, list) {
		if (!strcmp(u->id, id)) {
			mutex_unlock(&ksplice_mutex);
			pr_err("'%s': an update with this id is already loaded\n",
			       id);
			free_update(update);
			return ERR_PTR(-EEXIST);
		}
	}
	ret = kobject_init_and_add(&update->kobj, &update_ktype, ksplice_kobj,
				   "%s", id);
	if (ret) {
		mutex_unlock(&ksplice_mutex);
		kobject_put(&update->kobj);	/* frees it */
		return ERR_PTR(ret);
	}
	list_add_tail(&update->list, &ksplice_updates);
	mutex_unlock(&ksplice_mutex);
	ksplice_info(update, "loaded (%u unit%s)\n", nr_units,
		     nr_units == 1 ? "" : "s");
	return update;

out_free:
	free_update(update);
	return ERR_PTR(-ENOMEM);
}

/**
 * ksplice_do_unregister() - forget an update (see ksplice_unregister_update)
 * @update: the update; not applied (the core holds a reference on the
 *          patch module while it is, so its exit cannot run)
 *
 * CONTEXT: Process context (module exit); might sleep.
 */
void ksplice_do_unregister(struct ksplice_update *update)
{
	if (IS_ERR_OR_NULL(update))
		return;
	/* Waits for running show/store calls. */
	kobject_del(&update->kobj);
	mutex_lock(&ksplice_mutex);
	if (update->stage == KSPLICE_STAGE_APPLIED) {
		/* Cannot happen: we hold a reference while applied. */
		pr_err("'%s': unexpected: unloaded while applied\n",
		       update->id);
		ksplice_free_jumps(update);
	}
	list_del(&update->list);
	ksplice_release_held(update);
	mutex_unlock(&ksplice_mutex);
	pr_info("'%s': unloaded\n", update->id);
	kobject_put(&update->kobj);
}

static int __init ksplice_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct ksplice_symbol) != KSPLICE_SYMBOL_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_pre_reloc) != KSPLICE_PRE_RELOC_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_site) != KSPLICE_SITE_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_pre_sect) != KSPLICE_PRE_SECT_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_reloc) != KSPLICE_RELOC_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_func) != KSPLICE_FUNC_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_hook) != KSPLICE_HOOK_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_data) != KSPLICE_DATA_SIZE);
	BUILD_BUG_ON(sizeof(struct ksplice_unit) != KSPLICE_UNIT_SIZE);
	BUILD_BUG_ON(ARRAY_SIZE(ksplice_cause_names) != KSPLICE_NR_CAUSES);

	ret = ksplice_lookup_init();
	if (ret)
		return ret;
	ksplice_kobj = kobject_create_and_add("ksplice", kernel_kobj);
	if (!ksplice_kobj)
		return -ENOMEM;
	ret = sysfs_create_file(ksplice_kobj, &refused_load_attr.attr);
	if (!ret)
		ret = ksplice_modules_init();
	if (ret) {
		kobject_put(ksplice_kobj);
		return ret;
	}
	pr_info("core loaded\n");
	return 0;
}

static void __exit ksplice_exit(void)
{
	ksplice_modules_exit();
	kobject_put(ksplice_kobj);
}

module_init(ksplice_init);
module_exit(ksplice_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Ksplice core: rebootless kernel updates");
