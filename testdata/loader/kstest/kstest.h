/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSTEST_H
#define KSTEST_H

struct proc_dir_entry;

int kstest_value(void);
int kstest_a(void);
int kstest_b(void);
int kstest_shadow(void);
int kstest_xmod(void);
int kstest_many(void);
int kstest_sleeper(void);
int kstest_helper(void);
int kstest_f0(void);
int kstest_f1(void);
int kstest_f2(void);
int kstest_f3(void);
int kstest_f4(void);
int kstest_f5(void);
int kstest_f6(void);
int kstest_f7(void);
int kstest_f8(void);
int kstest_f9(void);
int kstest_cold(int wait);
void kstest_cold_init(struct proc_dir_entry *dir);
void kstest_cold_exit(void);
int kstest_sites_value(void);
int kstest_sites_other(void);
int kstest_weak_value(void);
void kstest_sites_init(struct proc_dir_entry *dir);
int kstest_wait(void);
void kstest_wait_init(struct proc_dir_entry *dir);
void kstest_wait_exit(void);
int kstest_timeout_ms(void);
void kstest_hooks_init(struct proc_dir_entry *dir);
extern int kstest_refuse;
void kstest_relax_init(struct proc_dir_entry *dir);

#ifdef KSTEST_HOOKS
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <ksplice/hooks.h>

/*
 * The eight hooks of unit TAG (number NUM), registered in kind order:
 * each logs "kstest-hook <its name>" (TAG_<kind>); the pre ones refuse with -EAGAIN
 * while kstest_refuse is NUM.
 */
#define KSTEST_PRE_HOOK(tag, num, kind)					\
	static int tag##_##kind(void)					\
	{								\
		pr_info("kstest-hook %s\n", __func__);		\
		return READ_ONCE(kstest_refuse) == (num) ? -EAGAIN : 0;	\
	}								\
	ksplice_##kind(tag##_##kind)
#define KSTEST_VOID_HOOK(tag, kind)					\
	static void tag##_##kind(void)					\
	{								\
		pr_info("kstest-hook %s\n", __func__);		\
	}								\
	ksplice_##kind(tag##_##kind)
#define KSTEST_LOG_HOOKS(tag, num)					\
	KSTEST_PRE_HOOK(tag, num, pre_apply);				\
	KSTEST_VOID_HOOK(tag, apply);					\
	KSTEST_VOID_HOOK(tag, post_apply);				\
	KSTEST_VOID_HOOK(tag, fail_apply);				\
	KSTEST_PRE_HOOK(tag, num, pre_reverse);				\
	KSTEST_VOID_HOOK(tag, reverse);					\
	KSTEST_VOID_HOOK(tag, post_reverse);				\
	KSTEST_VOID_HOOK(tag, fail_reverse)
#endif

#endif
