/* A module unit with a changed initial value and a hook (post.c). */
static int limit = 16;
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
