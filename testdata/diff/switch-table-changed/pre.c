/* gcc turns this switch into a lookup table, CSWTCH.N, a special static:
 * changing a value changes only the table, not the code bytes. */
int lookup(unsigned int x)
{
	switch (x) {
	case 0: return 17;
	case 1: return 3;
	case 2: return 93;
	case 3: return 8;
	case 4: return 61;
	default: return 0;
	}
}
