// SPDX-License-Identifier: GPL-2.0
/*
 * The stub of a patch module: registers the update with ksplice.ko.
 * scripts/build-patch-module.sh generates stub.h, which defines
 * KSPLICE_ID, KSPLICE_DESCRIPTION, declares the units (one global
 * struct ksplice_unit per patch object) and lists them in KSPLICE_UNITS.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <ksplice/loader.h>
#include "stub.h"

static struct ksplice_unit *const units[] = { KSPLICE_UNITS };
static struct ksplice_update *update;

static int __init ksplice_patch_init(void)
{
	update = ksplice_register_update(THIS_MODULE, KSPLICE_ID,
					 KSPLICE_DESCRIPTION, units,
					 ARRAY_SIZE(units));
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
