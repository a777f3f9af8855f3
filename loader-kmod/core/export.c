// SPDX-License-Identifier: GPL-2.0
/*
 * The functions patch modules call.  Kept apart from the definition of
 * struct ksplice_update so that their symbol versions (CRCs, computed from
 * the types visible here) depend only on the patch-object ABI.
 */
#include <linux/export.h>
#include <linux/module.h>
#include <ksplice/loader.h>
#include "register.h"

/**
 * ksplice_register_update() - register an update (called by a patch module)
 * @owner: the patch module (THIS_MODULE)
 * @id: the update id, [A-Za-z0-9_.-]{1,64}; names the sysfs directory
 * @description: free text
 * @units: the units the differ produced, one per compilation unit
 * @nr_units: their number
 *
 * The update starts in stage "loaded"; write "apply" to
 * /sys/kernel/ksplice/<id>/stage to apply it.
 *
 * CONTEXT: Process context (module init); might sleep.
 * RETURNS: The update, or ERR_PTR(-EINVAL) for a malformed package or id,
 * ERR_PTR(-EEXIST) for a duplicate id, ERR_PTR(-ENOMEM).
 */
struct ksplice_update *ksplice_register_update(struct module *owner,
					       const char *id,
					       const char *description,
					       struct ksplice_unit *const *units,
					       unsigned int nr_units)
{
	return ksplice_do_register(owner, id, description, units, nr_units);
}
EXPORT_SYMBOL_GPL(ksplice_register_update);

/**
 * ksplice_unregister_update() - forget an update (called by a patch module)
 * @update: the update (an error pointer or NULL is ignored); not applied:
 *          the core holds a reference on the patch module while it is
 *
 * CONTEXT: Process context (module exit); might sleep.
 */
void ksplice_unregister_update(struct ksplice_update *update)
{
	ksplice_do_unregister(update);
}
EXPORT_SYMBOL_GPL(ksplice_unregister_update);
