// SPDX-License-Identifier: GPL-2.0
/* Ten functions for the ten-function update. */
#include "kstest.h"

#ifndef KSTEST_MANY_ADD
#define KSTEST_MANY_ADD 0
#endif

__noipa int kstest_f0(void)
{
	return 1 + KSTEST_MANY_ADD;
}

__noipa int kstest_f1(void)
{
	return 2 + KSTEST_MANY_ADD;
}

__noipa int kstest_f2(void)
{
	return 3 + KSTEST_MANY_ADD;
}

__noipa int kstest_f3(void)
{
	return 4 + KSTEST_MANY_ADD;
}

__noipa int kstest_f4(void)
{
	return 5 + KSTEST_MANY_ADD;
}

__noipa int kstest_f5(void)
{
	return 6 + KSTEST_MANY_ADD;
}

__noipa int kstest_f6(void)
{
	return 7 + KSTEST_MANY_ADD;
}

__noipa int kstest_f7(void)
{
	return 8 + KSTEST_MANY_ADD;
}

__noipa int kstest_f8(void)
{
	return 9 + KSTEST_MANY_ADD;
}

__noipa int kstest_f9(void)
{
	return 10 + KSTEST_MANY_ADD;
}

int kstest_many(void)
{
	return kstest_f0() + kstest_f1() + kstest_f2() + kstest_f3() + kstest_f4() + kstest_f5() + kstest_f6() + kstest_f7() + kstest_f8() + kstest_f9();
}

#ifdef KSTEST_HELPER
__noipa int kstest_helper(void)
{
	return 4;
}
#endif
