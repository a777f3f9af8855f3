// SPDX-License-Identifier: GPL-2.0
/*
 * A function with a .cold part in which a thread can block:
 * kstest_cold()'s unlikely branch is split by GCC into kstest_cold.cold
 * (section .text.unlikely.kstest_cold), which calls cold_wait().  A thread
 * sleeping there has a return address into kstest_cold.cold on its stack,
 * and none into kstest_cold's own section.
 *
 * /proc/kstest/cold: write 1: a new kernel thread "kstest_cold" calls
 * kstest_cold() and sleeps in its cold part; write 0: it leaves; read: what
 * the last call returned (KSTEST_COLD + 100 from the cold path).
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/proc_fs.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include "kstest.h"

#ifndef KSTEST_COLD
#define KSTEST_COLD 1
#endif

static int cold_hold;
static int cold_result;
static int cold_calls;
static struct task_struct *cold_thread;

static __cold __noipa void cold_wait(void)
{
	while (READ_ONCE(cold_hold) && !kthread_should_stop())
		msleep(20);
}

__noipa int kstest_cold(int wait)
{
	int ret = KSTEST_COLD;

	if (unlikely(wait)) {
		cold_wait();
		ret += 100;
	}
	WRITE_ONCE(cold_calls, cold_calls + 1);
	return ret;
}

/* Exits right after the call: no stale stack words stay behind. */
static int cold_fn(void *arg)
{
	WRITE_ONCE(cold_result, kstest_cold(1));
	return 0;
}

static void cold_stop(void)
{
	if (!cold_thread)
		return;
	WRITE_ONCE(cold_hold, 0);
	kthread_stop(cold_thread);
	put_task_struct(cold_thread);
	cold_thread = NULL;
}

static int cold_start(void)
{
	cold_stop();
	WRITE_ONCE(cold_hold, 1);
	cold_thread = kthread_create(cold_fn, NULL, "kstest_cold");
	if (IS_ERR(cold_thread)) {
		cold_thread = NULL;
		return -ENOMEM;
	}
	get_task_struct(cold_thread);
	wake_up_process(cold_thread);
	return 0;
}

static int cold_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", READ_ONCE(cold_result));
	return 0;
}

static int cold_open(struct inode *inode, struct file *file)
{
	return single_open(file, cold_show, NULL);
}

static ssize_t cold_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	char c;
	int ret = 0;

	if (!count || get_user(c, buf))
		return -EINVAL;
	if (c == '1')
		ret = cold_start();
	else if (c == '0')
		WRITE_ONCE(cold_hold, 0);
	return ret ? ret : count;
}

static const struct proc_ops cold_ops = {
	.proc_open = cold_open,
	.proc_read = seq_read,
	.proc_write = cold_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

void kstest_cold_init(struct proc_dir_entry *dir)
{
	proc_create("cold", 0644, dir, &cold_ops);
}

void kstest_cold_exit(void)
{
	cold_stop();
}
