// SPDX-License-Identifier: GPL-2.0
/* A static function whose name kstest_a.c uses too. */
#include "kstest.h"

#ifndef KSTEST_DUP_B
#define KSTEST_DUP_B 20
#endif

static __noipa int dup(void)
{
	return KSTEST_DUP_B;
}

__noipa int kstest_b(void)
{
	return dup();
}
