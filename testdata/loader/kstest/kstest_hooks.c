// SPDX-License-Identifier: GPL-2.0
/*
 * State for the hook tests.  /proc/kstest/timeout shows
 * "<kstest_timeout_ms()> <kstest_timeout>": the running code keeps the
 * timeout in seconds; the KSTEST_HOOKS variant keeps it in milliseconds,
 * and its apply hook converts the variable (its reverse hook converts it
 * back).  /proc/kstest/refuse (read, write) is what the variants' pre
 * hooks look at: they refuse while it holds their unit's number.
 */
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include "kstest.h"

int kstest_refuse;
static int kstest_timeout = 3;

#ifndef KSTEST_HOOKS
__noipa int kstest_timeout_ms(void)
{
	return READ_ONCE(kstest_timeout) * 1000;
}
#else
__noipa int kstest_timeout_ms(void)
{
	return READ_ONCE(kstest_timeout);
}

static void to_ms(void)
{
	pr_info("kstest-hook %s\n", __func__);
	kstest_timeout *= 1000;
}

static void to_s(void)
{
	pr_info("kstest-hook %s\n", __func__);
	kstest_timeout /= 1000;
}

ksplice_apply(to_ms);
ksplice_reverse(to_s);
KSTEST_LOG_HOOKS(hooks, 1);
#endif

static int timeout_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d %d\n", kstest_timeout_ms(), READ_ONCE(kstest_timeout));
	return 0;
}

static int refuse_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", READ_ONCE(kstest_refuse));
	return 0;
}

static int refuse_open(struct inode *inode, struct file *file)
{
	return single_open(file, refuse_show, NULL);
}

static ssize_t refuse_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	int v, ret;

	ret = kstrtoint_from_user(buf, count, 0, &v);
	if (ret)
		return ret;
	WRITE_ONCE(kstest_refuse, v);
	return count;
}

static const struct proc_ops refuse_ops = {
	.proc_open = refuse_open,
	.proc_read = seq_read,
	.proc_write = refuse_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

void kstest_hooks_init(struct proc_dir_entry *dir)
{
	proc_create_single("timeout", 0444, dir, timeout_show);
	proc_create("refuse", 0644, dir, &refuse_ops);
}
