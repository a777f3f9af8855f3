// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark module: the cost of a stop_machine() that does nothing, the
 * floor of any pause.  Writing to /proc/ksplice_noop_stop runs one
 * stop_machine() over every online CPU with an empty callback; reading
 * gives the nanoseconds the call took, measured as the loader measures
 * its own (ktime_get_ns() around the whole call, as the caller sees it).
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>

/* Serializes the writes and protects last_ns. */
static DEFINE_MUTEX(noop_mutex);
static u64 last_ns;

static int noop(void *data)
{
	return 0;
}

static int noop_show(struct seq_file *m, void *v)
{
	mutex_lock(&noop_mutex);
	seq_printf(m, "%llu\n", last_ns);
	mutex_unlock(&noop_mutex);
	return 0;
}

static int noop_open(struct inode *inode, struct file *file)
{
	return single_open(file, noop_show, NULL);
}

static ssize_t noop_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	u64 t;
	int ret;

	mutex_lock(&noop_mutex);
	t = ktime_get_ns();
	ret = stop_machine(noop, NULL, cpu_online_mask);
	last_ns = ktime_get_ns() - t;
	mutex_unlock(&noop_mutex);
	return ret ? ret : count;
}

static const struct proc_ops noop_ops = {
	.proc_open = noop_open,
	.proc_read = seq_read,
	.proc_write = noop_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static int __init noop_init(void)
{
	return proc_create("ksplice_noop_stop", 0600, NULL, &noop_ops) ?
	       0 : -ENOMEM;
}

static void __exit noop_exit(void)
{
	remove_proc_entry("ksplice_noop_stop", NULL);
}

module_init(noop_init);
module_exit(noop_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Benchmark: a stop_machine() that does nothing");
