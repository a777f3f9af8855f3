/* EXPORT_SYMBOL() as Linux 6.1 emits it: one ___ksymtab+NAME section per
 * export.  A patch cannot add one. */
#define EXPORT(sym)							\
	static const int __attribute__((used, section("___ksymtab+" #sym))) \
	__ksymtab_##sym = 0
int old_api(int x) { return x + 1; }
EXPORT(old_api);
int new_api(int x) { return x * 2; }
EXPORT(new_api);
