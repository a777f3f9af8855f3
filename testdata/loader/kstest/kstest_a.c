// SPDX-License-Identifier: GPL-2.0
/*
 * A static function and a static variable whose names kstest_b.c uses
 * too; both files compile dup() to the same bytes (only the relocation to
 * dup_val differs), so only run-pre matching through kstest_a() tells them
 * apart.
 */
#include <linux/compiler.h>
#include "kstest.h"

#ifndef KSTEST_DUP_ADD
#define KSTEST_DUP_ADD 0
#endif

static int dup_val = 10;

static __noipa int dup(void)
{
	return READ_ONCE(dup_val) + KSTEST_DUP_ADD;
}

__noipa int kstest_a(void)
{
	return dup();
}

#ifdef KSTEST_HOOKS
KSTEST_LOG_HOOKS(a, 2);
#endif
