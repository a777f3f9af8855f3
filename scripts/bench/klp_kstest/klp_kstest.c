// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark module: the kernel's own livepatch replacing the function the
 * benchmark replaces with ksplice (kstest_value() of the loader tests'
 * target module, which returns 1; the value2 update makes it return 2).
 * Loading it enables the patch (klp_enable_patch()); the transition is
 * complete when /sys/kernel/livepatch/klp_kstest/transition reads 0.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

static int klp_kstest_value(void)
{
	return 2;
}

static struct klp_func funcs[] = {
	{ .old_name = "kstest_value", .new_func = klp_kstest_value },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "kstest", .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_kstest_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_kstest_exit(void)
{
}

module_init(klp_kstest_init);
module_exit(klp_kstest_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_DESCRIPTION("Benchmark: livepatch of kstest_value()");
