// SPDX-License-Identifier: GPL-2.0
/*
 * A function a user process blocks in: reading /proc/kstest/wait calls
 * kstest_wait() in the reading task, which, while the file is armed,
 * sleeps there on a wait queue (switched out once, until released).
 *
 * /proc/kstest/wait: write 1: arm (readers block); write 0: release them
 * (and readers no longer block); read: what kstest_wait() returned
 * (KSTEST_WAIT).  /proc/kstest/waiting: how many tasks are inside it.
 */
#include <linux/atomic.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/wait.h>
#include "kstest.h"

#ifndef KSTEST_WAIT
#define KSTEST_WAIT 1
#endif

static DECLARE_WAIT_QUEUE_HEAD(wait_queue);
static int wait_hold;
static atomic_t waiting = ATOMIC_INIT(0);

__noipa int kstest_wait(void)
{
	atomic_inc(&waiting);
	wait_event_interruptible(wait_queue, !READ_ONCE(wait_hold));
	atomic_dec(&waiting);
	return KSTEST_WAIT;
}

static int wait_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", kstest_wait());
	return 0;
}

static int wait_open(struct inode *inode, struct file *file)
{
	return single_open(file, wait_show, NULL);
}

static ssize_t wait_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	char c;

	if (!count || get_user(c, buf))
		return -EINVAL;
	if (c == '1') {
		WRITE_ONCE(wait_hold, 1);
	} else if (c == '0') {
		WRITE_ONCE(wait_hold, 0);
		wake_up_all(&wait_queue);
	}
	return count;
}

static const struct proc_ops wait_ops = {
	.proc_open = wait_open,
	.proc_read = seq_read,
	.proc_write = wait_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static int waiting_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", atomic_read(&waiting));
	return 0;
}

void kstest_wait_init(struct proc_dir_entry *dir)
{
	proc_create("wait", 0644, dir, &wait_ops);
	proc_create_single("waiting", 0444, dir, waiting_show);
}

void kstest_wait_exit(void)
{
	WRITE_ONCE(wait_hold, 0);
	wake_up_all(&wait_queue);
}
