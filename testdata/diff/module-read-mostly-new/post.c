/* A module's __read_mostly variables share one section whatever
 * -fdata-sections.  A new one, 'added', which the compiler places right
 * after 'limit': the code's reference to its start (the section symbol
 * plus an offset) could as well be to the end of 'limit', so it cannot be
 * carried apart from the running module's section. */
#define __read_mostly __attribute__((__section__(".data..read_mostly")))

static int table[4] __read_mostly = { 1, 2, 3, 4 };
static int added __read_mostly = 5;
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
	return limit + other + added;
}
