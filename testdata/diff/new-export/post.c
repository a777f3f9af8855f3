/* EXPORT_SYMBOL() as Linux 6.1 emits it on x86-64 (include/linux/export.h,
 * CONFIG_HAVE_ARCH_PREL32_RELOCATIONS): the name and namespace strings in
 * __ksymtab_strings, one ___ksymtab+NAME section per export. */
#define EXPORT(sym, ns)							\
	asm("	.section \"__ksymtab_strings\",\"aMS\",%progbits,1	\n"	\
	    "__kstrtab_" #sym ":					\n"	\
	    "	.asciz 	\"" #sym "\"					\n"	\
	    "__kstrtabns_" #sym ":					\n"	\
	    "	.asciz 	\"" ns "\"					\n"	\
	    "	.previous						\n");	\
	asm("	.section \"___ksymtab+" #sym "\", \"a\"	\n"		\
	    "	.balign	4					\n"		\
	    "__ksymtab_" #sym ":				\n"		\
	    "	.long	" #sym "- .				\n"		\
	    "	.long	__kstrtab_" #sym "- .			\n"		\
	    "	.long	__kstrtabns_" #sym "- .			\n"		\
	    "	.previous					\n")
/* new_api is new and exported (in a namespace); quiet_api existed and is
 * exported now; kept_api's export is removed. */
int old_api(int x) { return x + 1; }
EXPORT(old_api, "");
int kept_api(int x) { return x + 3; }
int new_api(int x) { return x * 2; }
EXPORT(new_api, "KSPLICE_TEST");
int quiet_api(int x) { return x + 5; }
EXPORT(quiet_api, "");
