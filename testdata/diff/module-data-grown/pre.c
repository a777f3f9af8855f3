/* A module's table grows: the running module's layout has no room. */
static int table[2] = { 1, 2 };

int lookup(int i)
{
	return table[i & 1];
}

void store(int i, int v)
{
	table[i & 1] = v;
}
