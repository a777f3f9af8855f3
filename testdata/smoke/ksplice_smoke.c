// SPDX-License-Identifier: GPL-2.0
/*
 * The VM smoke test's module: /proc/ksplice_smoke reads "smoke <value>".
 * With plant_warning=1 its init raises a kernel warning, which the VM
 * runner must notice and fail on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static int value = 42;
module_param(value, int, 0444);
MODULE_PARM_DESC(value, "the number /proc/ksplice_smoke shows");

static bool plant_warning;
module_param(plant_warning, bool, 0444);
MODULE_PARM_DESC(plant_warning, "raise a kernel warning at load");

static int smoke_show(struct seq_file *m, void *v)
{
	seq_printf(m, "smoke %d\n", value);
	return 0;
}

static int __init smoke_init(void)
{
	if (!proc_create_single("ksplice_smoke", 0444, NULL, smoke_show))
		return -ENOMEM;
	WARN(plant_warning, "ksplice_smoke: planted warning\n");
	pr_info("loaded, value %d\n", value);
	return 0;
}

static void __exit smoke_exit(void)
{
	remove_proc_entry("ksplice_smoke", NULL);
	pr_info("unloaded\n");
}

module_init(smoke_init);
module_exit(smoke_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksplice VM smoke-test module");
