/* A module unit with a changed initial value and an apply hook: the hook
 * runs at apply, with the module loaded, but the new value can only be
 * written while the module is not (module_data_live): one update cannot
 * do both.  The value belongs in the hook. */
#include <ksplice/hooks.h>
static int limit = 32;
static int seen;

int over(int x)
{
	return x > limit;
}

void set_limit(int v)
{
	limit = v;
}

int count(void)
{
	return ++seen;
}

static void reset_seen(void)
{
	seen = 0;
}
ksplice_apply(reset_seen);
