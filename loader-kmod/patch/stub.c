// SPDX-License-Identifier: GPL-2.0
/*
 * The stub of a patch module: registers the update with ksplice.ko.
 * scripts/build-patch-module.sh generates stub.h, which defines
 * KSPLICE_ID, KSPLICE_DESCRIPTION, declares the units (one global
 * struct ksplice_unit per patch object) and lists them in KSPLICE_UNITS,
 * each followed by a comma.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <ksplice/loader.h>
#include "stub.h"

/*
 * The units, NULL-terminated (KSPLICE_UNITS ends with a comma); the core
 * finds them by this name when the module comes, before its init runs
 * (core/loadrelocs.c).
 */
struct ksplice_unit *const ksplice_patch_units[] = { KSPLICE_UNITS NULL };
static struct ksplice_update *update;

static int __init ksplice_patch_init(void)
{
	update = ksplice_register_update(THIS_MODULE, KSPLICE_ID,
					 KSPLICE_DESCRIPTION,
					 ksplice_patch_units,
					 ARRAY_SIZE(ksplice_patch_units) - 1);
	return PTR_ERR_OR_ZERO(update);
}

static void __exit ksplice_patch_exit(void)
{
	ksplice_unregister_update(update);
}

module_init(ksplice_patch_init);
module_exit(ksplice_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(KSPLICE_DESCRIPTION);
