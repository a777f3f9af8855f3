// SPDX-License-Identifier: GPL-2.0
/*
 * A static function and a static variable whose names kstest_a.c uses
 * too; both files compile dup() to the same bytes (only the relocation to
 * dup_val differs), so only run-pre matching through kstest_b() tells them
 * apart.
 */
#include <linux/compiler.h>
#ifdef KSTEST_XMOD
#include <linux/crc7.h>
#endif
#include "kstest.h"

#ifndef KSTEST_DUP_ADD
#define KSTEST_DUP_ADD 0
#endif

static int dup_val = 20;

static __noipa int dup(void)
{
	return READ_ONCE(dup_val) + KSTEST_DUP_ADD;
}

__noipa int kstest_b(void)
{
	return dup();
}

#ifndef KSTEST_SHADOW_ADD
#define KSTEST_SHADOW_ADD 0
#endif

/*
 * Named like vmlinux's own static cmdline_proc_show() (fs/proc/cmdline.c):
 * an update of this file must patch kstest's, never the kernel's.
 */
static __noipa int cmdline_proc_show(void)
{
	return 30 + KSTEST_SHADOW_ADD;
}

__noipa int kstest_shadow(void)
{
	return cmdline_proc_show();
}

#ifdef KSTEST_HOOKS
KSTEST_LOG_HOOKS(b, 3);
#endif

/*
 * The update built with KSTEST_XMOD calls crc7_be(), exported by the
 * module crc7 (which kstest itself does not use): new code that refers to
 * another module's export.
 */
__noipa int kstest_xmod(void)
{
#ifdef KSTEST_XMOD
	return crc7_be(0, (const u8 *)"123456789", 9);
#else
	return 0;
#endif
}
