/* A table the differ does not know names foo: dropping it silently could
 * be wrong, so a change to foo is refused. */
int foo(int x)
{
	asm volatile(".pushsection my_table,\"a\"\n"
		     ".quad foo\n"
		     ".popsection");
	return x + 2;
}
int bar(int x) { return x - 1; }
