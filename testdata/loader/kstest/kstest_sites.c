// SPDX-License-Identifier: GPL-2.0
/*
 * Sites the kernel rewrites when it loads the module, in the forms the
 * compiler emits: a call and a tail call through the retpoline thunk of
 * %r11 carry a cs prefix ("cs call __x86_indirect_thunk_r11", GCC's
 * -mindirect-branch-cs-prefix for %r8-%r15), which apply_retpolines()
 * keeps (retpolines on) or turns into "call *%r11" and nops (spectre_v2=off).
 * Written in assembly so that the register and the prefix do not depend on
 * the compiler's choices; objtool lists both in .retpoline_sites.
 *
 * /proc/kstest/sites: kstest_sites_value() called through each, twice
 * "KSTEST_SITES" (1; the sites update makes it 2), then the 6 bytes of
 * each site in hex, as the kernel left them, then kstest_sites_other()
 * and kstest_weak_value().
 *
 * Run-pre matching of the unit also meets a global function that a
 * stale build has different (kstest_sites_other: the sites-stale update
 * must not apply) and a __weak one that kstest_main.c overrides
 * (kstest_weak_value: not a mismatch).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include "kstest.h"

#ifndef KSTEST_SITES
#define KSTEST_SITES 1
#endif
#ifndef KSTEST_SITES_OTHER
#define KSTEST_SITES_OTHER 1
#endif

int kstest_thunk_call(int (*fn)(void));
int kstest_thunk_jmp(int (*fn)(void));

asm(".pushsection .text.kstest_thunk_call, \"ax\"\n"
    ".globl kstest_thunk_call\n"
    ".type kstest_thunk_call, @function\n"
    "kstest_thunk_call:\n"
    "	mov %rdi, %r11\n"
    "	.byte 0x2e\n"
    "	call __x86_indirect_thunk_r11\n"
    "	jmp __x86_return_thunk\n"
    ".size kstest_thunk_call, . - kstest_thunk_call\n"
    ".popsection\n");

asm(".pushsection .text.kstest_thunk_jmp, \"ax\"\n"
    ".globl kstest_thunk_jmp\n"
    ".type kstest_thunk_jmp, @function\n"
    "kstest_thunk_jmp:\n"
    "	mov %rdi, %r11\n"
    "	.byte 0x2e\n"
    "	jmp __x86_indirect_thunk_r11\n"
    "	int3\n"
    ".size kstest_thunk_jmp, . - kstest_thunk_jmp\n"
    ".popsection\n");

__noipa int kstest_sites_value(void)
{
	return KSTEST_SITES;
}

__noipa int kstest_sites_other(void)
{
	return KSTEST_SITES_OTHER;
}

__weak __noipa int kstest_weak_value(void)
{
	return 1;
}

static int sites_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d %d %6phN %6phN %d %d\n",
		   kstest_thunk_call(kstest_sites_value),
		   kstest_thunk_jmp(kstest_sites_value),
		   (u8 *)kstest_thunk_call + 3, (u8 *)kstest_thunk_jmp + 3,
		   kstest_sites_other(), kstest_weak_value());
	return 0;
}

void kstest_sites_init(struct proc_dir_entry *dir)
{
	proc_create_single("sites", 0444, dir, sites_show);
}
