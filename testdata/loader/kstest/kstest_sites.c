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
 * Static calls to a key whose function is __static_call_return0, which
 * the kernel turns into "cs cs cs xor %eax,%eax" (a call) and a
 * conditional tail call "jne __SCT__kstest_sc", 6 bytes.
 *
 * /proc/kstest/sites: kstest_sites_value() called through each thunk,
 * twice "KSTEST_SITES" (1; the sites update makes it 2), then the 6 bytes
 * of each thunk site in hex, as the kernel left them, then
 * kstest_sites_other(), kstest_weak_value(), kstest_weak_table[1],
 * kstest_sc_call() and kstest_sc_jcc(1) (1 and 0: the static call returns
 * 0), and the 5 bytes of kstest_sc_call's static call site.
 *
 * Run-pre matching of the unit also meets a global function that a
 * stale build has different (kstest_sites_other: the sites-stale update
 * must not apply) and a __weak function and a __weak table that
 * kstest_main.c overrides (kstest_weak_value, kstest_weak_table: not
 * mismatches, although the unit refers to the table).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/static_call.h>
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

const int kstest_weak_table[4] __weak = { 1, 2, 3, 4 };

DEFINE_STATIC_CALL_RET0(kstest_sc, kstest_sites_value);

/* A call site of kstest_sc (not a tail call), right after the ftrace one. */
__noipa int kstest_sc_call(void)
{
	return static_call(kstest_sc)() + 1;
}

/* kstest_sc_jcc(x): x ? kstest_sc() : 7. */
int kstest_sc_jcc(int x);
asm(".pushsection .text.kstest_sc_jcc, \"ax\"\n"
    ".globl kstest_sc_jcc\n"
    ".type kstest_sc_jcc, @function\n"
    "kstest_sc_jcc:\n"
    "	test %edi, %edi\n"
    "	jne __SCT__kstest_sc\n"
    "	mov $7, %eax\n"
    "	jmp __x86_return_thunk\n"
    ".size kstest_sc_jcc, . - kstest_sc_jcc\n"
    ".popsection\n");

static int sites_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d %d %6phN %6phN %d %d %d %d %d %5phN\n",
		   kstest_thunk_call(kstest_sites_value),
		   kstest_thunk_jmp(kstest_sites_value),
		   (u8 *)kstest_thunk_call + 3, (u8 *)kstest_thunk_jmp + 3,
		   kstest_sites_other(), kstest_weak_value(),
		   kstest_weak_table[1], kstest_sc_call(), kstest_sc_jcc(1),
		   (u8 *)kstest_sc_call + 5);
	return 0;
}

void kstest_sites_init(struct proc_dir_entry *dir)
{
	proc_create_single("sites", 0444, dir, sites_show);
}
