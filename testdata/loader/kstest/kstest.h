/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSTEST_H
#define KSTEST_H

struct proc_dir_entry;

int kstest_value(void);
int kstest_a(void);
int kstest_b(void);
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

#endif
