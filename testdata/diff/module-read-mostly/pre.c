/* A module's __read_mostly variables share one section whatever
 * -fdata-sections (xt_connmark.c of 6.1.187): one of them gets a new
 * initial value.  The other, an array, is read up to its end. */
#define __read_mostly __attribute__((__section__(".data..read_mostly")))

static int table[4] __read_mostly = { 1, 2, 3, 4 };
static int limit __read_mostly = 10;
static int other __read_mostly = 7;

int sum(void)
{
	int *p, s = 0;

	for (p = table; p < table + 4; p++)
		s += *p;
	return s;
}

int get_limit(void)
{
	return limit + other;
}
