// SPDX-License-Identifier: GPL-2.0
/*
 * Branches the assembler sizes by layout.  The running kstest compiles
 * this file without -ffunction-sections (Kbuild), as the kernel compiles
 * every file: its functions share .text, and GAS makes the tail calls to
 * the nearby relax_target() "jmp rel8" and "jg rel8".  The relax update's
 * pre object (built with -DKSTEST_RELAX_FS) has one section per function,
 * where they must stay "jmp rel32" with a relocation: the running
 * kstest_relax_tail() and kstest_relax_loop() are shorter than their pre
 * code, the loop's branches and its alignment padding move.  Run-pre
 * matching must still see the same code (compare_insn.c).
 *
 * /proc/kstest/relax: kstest_relax_value() (1; the relax update makes it
 * 2), kstest_relax_tail(1) and kstest_relax_loop(4), kstest_relax_loop(200).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include "kstest.h"

#ifndef KSTEST_RELAX
#define KSTEST_RELAX 1
#endif

static __noipa int relax_target(int x)
{
	return x * 3 + 1;
}

/* jmp relax_target */
__noipa int kstest_relax_tail(int x)
{
	return relax_target(x + 1);
}

/* A loop after the tail call: the branch over it moves too. */
__noipa int kstest_relax_loop(int n)
{
	int i, s = 0;

	if (likely(n > 100))
		return relax_target(n);
	for (i = 0; i < n; i++)
		s += i * i + (s >> 3);
	return s;
}

__noipa int kstest_relax_value(void)
{
	return KSTEST_RELAX;
}

static int relax_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d %d %d %d\n", kstest_relax_value(),
		   kstest_relax_tail(1), kstest_relax_loop(4),
		   kstest_relax_loop(200));
	return 0;
}

void kstest_relax_init(struct proc_dir_entry *dir)
{
	proc_create_single("relax", 0444, dir, relax_show);
}
