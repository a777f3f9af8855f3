// SPDX-License-Identifier: GPL-2.0
/* A static function whose name kstest_b.c uses too. */
#include "kstest.h"

#ifndef KSTEST_DUP_A
#define KSTEST_DUP_A 10
#endif

static __noipa int dup(void)
{
	return KSTEST_DUP_A;
}

__noipa int kstest_a(void)
{
	return dup();
}
