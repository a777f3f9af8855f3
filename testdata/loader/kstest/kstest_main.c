// SPDX-License-Identifier: GPL-2.0
/*
 * Target module of the loader tests.  /proc/kstest/<name> shows what the
 * functions the updates replace return:
 *   value    kstest_value()              (1; updates make it 2, then 3)
 *   init_value  what kstest_value() returned in the module's init: an
 *            update patches the module before its init runs
 *   dup      kstest_a() kstest_b()       (each calls its own static dup())
 *   shadow   kstest_shadow()             (kstest_b.c's cmdline_proc_show())
 *   xmod     kstest_xmod()               (0; updated, crc7_be() of module crc7)
 *   many     kstest_many()               (sum of ten functions)
 *   sleeper  write 1: a new kernel thread sleeps inside kstest_sleeper();
 *            write 0: it leaves; read: what the last call returned
 *   text     the first 16 bytes of kstest_value's code, in hex
 *   cold     like sleeper, inside kstest_cold()'s .cold part (kstest_cold.c)
 *   sites    through cs-prefixed retpoline thunk calls (kstest_sites.c)
 *   timeout, refuse  state of the hook tests (kstest_hooks.c)
 *   wait     a reader blocks inside kstest_wait() (kstest_wait.c)
 *   relax    code whose branches the assembler relaxed (kstest_relax.c)
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include "kstest.h"

/* Test variants: the updates' pre and post objects differ in these. */
#ifndef KSTEST_VALUE
#define KSTEST_VALUE 1
#endif
#ifndef KSTEST_SLEEPER
#define KSTEST_SLEEPER 7
#endif

static int kstest_calls;
static int init_value;
/* For the loader tests: the init sleeps this long (ms) at its end. */
static unsigned int init_sleep_ms;
module_param(init_sleep_ms, uint, 0);
static int sleeper_hold;
static int sleeper_result;
static struct task_struct *sleeper;

__noipa int kstest_value(void)
{
	kstest_calls++;
#ifdef KSTEST_HELPER
	/* Only in the "helper" variant: a function the running kstest lacks. */
	return kstest_helper();
#endif
	return KSTEST_VALUE;
}

__noipa int kstest_sleeper(void)
{
	while (READ_ONCE(sleeper_hold) && !kthread_should_stop())
		msleep(20);
	return KSTEST_SLEEPER;
}

/* Exits right after the call: no stale stack words stay behind. */
static int sleeper_fn(void *arg)
{
	WRITE_ONCE(sleeper_result, kstest_sleeper());
	return 0;
}

static int value_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", kstest_value());
	return 0;
}

static int init_value_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", init_value);
	return 0;
}

static int shadow_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", kstest_shadow());
	return 0;
}

static int xmod_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", kstest_xmod());
	return 0;
}

static int dup_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d %d\n", kstest_a(), kstest_b());
	return 0;
}

static int many_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", kstest_many());
	return 0;
}

static int text_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%16phN\n", (void *)kstest_value);
	return 0;
}

static int sleeper_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", READ_ONCE(sleeper_result));
	return 0;
}

static int sleeper_open(struct inode *inode, struct file *file)
{
	return single_open(file, sleeper_show, NULL);
}

static ssize_t sleeper_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	char c;

	if (!count || get_user(c, buf))
		return -EINVAL;
	if (c == '1') {
		if (sleeper) {
			kthread_stop(sleeper);
			put_task_struct(sleeper);
		}
		WRITE_ONCE(sleeper_hold, 1);
		sleeper = kthread_create(sleeper_fn, NULL, "kstest_sleeper");
		if (IS_ERR(sleeper)) {
			sleeper = NULL;
			return -ENOMEM;
		}
		get_task_struct(sleeper);
		wake_up_process(sleeper);
	} else if (c == '0') {
		WRITE_ONCE(sleeper_hold, 0);
	}
	return count;
}

static const struct proc_ops sleeper_ops = {
	.proc_open = sleeper_open,
	.proc_read = seq_read,
	.proc_write = sleeper_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

/* Override kstest_sites.c's __weak definitions. */
__noipa int kstest_weak_value(void)
{
	return 3;
}

const int kstest_weak_table[4] = { 5, 6, 7, 8 };

static struct proc_dir_entry *dir;

static int __init kstest_init(void)
{
	init_value = kstest_value();
	dir = proc_mkdir("kstest", NULL);
	if (!dir)
		return -ENOMEM;
	proc_create_single("value", 0444, dir, value_show);
	proc_create_single("init_value", 0444, dir, init_value_show);
	proc_create_single("dup", 0444, dir, dup_show);
	proc_create_single("shadow", 0444, dir, shadow_show);
	proc_create_single("xmod", 0444, dir, xmod_show);
	proc_create_single("many", 0444, dir, many_show);
	proc_create_single("text", 0444, dir, text_show);
	proc_create("sleeper", 0644, dir, &sleeper_ops);
	kstest_cold_init(dir);
	kstest_sites_init(dir);
	kstest_hooks_init(dir);
	kstest_wait_init(dir);
	kstest_relax_init(dir);
	msleep(init_sleep_ms);
	return 0;
}

static void __exit kstest_exit(void)
{
	if (sleeper) {
		WRITE_ONCE(sleeper_hold, 0);
		kthread_stop(sleeper);
		put_task_struct(sleeper);
	}
	kstest_cold_exit();
	kstest_wait_exit();
	proc_remove(dir);
}

module_init(kstest_init);
module_exit(kstest_exit);
MODULE_LICENSE("GPL");
