/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The patch-object ABI: the one contract between the differ (user space,
 * C++) and the loader (kernel, C).
 *
 * The differ writes an x86-64 ELF relocatable object per compilation unit
 * (CU).  ksplice-create links one or more of them with a generated stub into
 * the update's patch module.  Everything the loader needs is reachable from
 * one global object per CU, `struct ksplice_unit`, whose pointer fields are
 * R_X86_64_64 relocations that the module loader resolves at load time.
 *
 * What the object holds (see docs/patch-format.md for the long form):
 *
 *  - New code and data, in their post-patch sections: every replaced
 *    function, every new function and data object, and the strings and
 *    read-only data they use.  Relocations among these stay ordinary ELF
 *    relocations; so do relocations to symbols the target kernel exports
 *    (the module loader and modversions handle them).
 *
 *  - Late relocations (struct ksplice_reloc): references from new code to
 *    symbols of the running kernel that are not exported (static functions,
 *    static data, non-exported globals).  The field is left holding
 *    KSPLICE_CANARY; the loader writes it at apply time, after run-pre
 *    matching has told it the symbol's address.
 *
 *  - Pre code (struct ksplice_pre_sect): every function of the CU, and the
 *    read-only data it references, as compiled before the patch, with its
 *    relocations (struct ksplice_pre_reloc) and the sites the kernel may
 *    rewrite at boot or run time (struct ksplice_site).  The loader compares
 *    it against live memory (run-pre matching) before touching anything.
 *
 *  - The replaced functions (struct ksplice_func): which pre section each
 *    replaces, where the new code is, where the jump goes.
 *
 *  - A module unit's changed data (struct ksplice_data): the new initial
 *    value of an object of the module, written over the object when the
 *    module loads, before anything has read it.
 *
 * Every struct here has a fixed layout (explicit padding, natural
 * alignment); both sides assert the sizes.  Pointer fields are 64-bit.
 * Bump KSPLICE_ABI_VERSION on any change.
 *
 * This header is included by kernel C (with __KERNEL__) and by C++ user
 * space; it uses only <linux/types.h>.
 */
#ifndef KSPLICE_ABI_H
#define KSPLICE_ABI_H

#include <linux/types.h>

#define KSPLICE_UNIT_MAGIC	0x4b53504cU	/* "KSPL" */
#define KSPLICE_ABI_VERSION	7

/* What an unwritten late-relocation field holds (masked to its width). */
#define KSPLICE_CANARY		0x7777777777777777ULL

/* Length of the jump written at an old function (x86-64: jmp rel32). */
#define KSPLICE_JUMP_SIZE	5

/*
 * A pointer in the kernel, a 64-bit field (with an ELF relocation) in the
 * differ.
 */
#ifdef __KERNEL__
#define KSPLICE_PTR(type, name)	type *name
#else
#define KSPLICE_PTR(type, name)	__u64 name
#endif

/* Relocation kinds, a portable subset of R_X86_64_*. */
enum ksplice_reloc_type {
	KSPLICE_R_NONE = 0,
	KSPLICE_R_PC32 = 1,	/* S + A - P, 32-bit signed (PC32, PLT32) */
	KSPLICE_R_32S = 2,	/* S + A, 32-bit sign-extended */
	KSPLICE_R_32 = 3,	/* S + A, 32-bit zero-extended */
	KSPLICE_R_64 = 4,	/* S + A, 64-bit */
	KSPLICE_R_PC64 = 5,	/* S + A - P, 64-bit */
};

/* struct ksplice_symbol.flags */
#define KSPLICE_SYM_LOCAL	0x1	/* STB_LOCAL: may have same-named twins */
#define KSPLICE_SYM_FUNC	0x2	/* STT_FUNC */
#define KSPLICE_SYM_OBJECT	0x4	/* STT_OBJECT */
#define KSPLICE_SYM_SECTION	0x8	/* a section with no named symbol */
#define KSPLICE_SYM_EXPORTED	0x10	/* exported (vmlinux or a module) */
#define KSPLICE_SYM_WEAK	0x20	/* STB_WEAK: another object may override it */

/*
 * A symbol of the running kernel that pre code or a late relocation refers
 * to.  One table per unit, shared by pre relocations and late relocations,
 * so that an address learned by matching pre code is the one new code gets.
 */
struct ksplice_symbol {
	KSPLICE_PTR(const char, name);	/* as in kallsyms, e.g. "foo.isra.0" */
	__u32 flags;			/* KSPLICE_SYM_* */
	__u32 pad;
};

/*
 * A relocation inside pre code (offset relative to the pre section).  A
 * reference to a merged string (KSPLICE_SECT_STRING) names the section;
 * the place in it is the addend (plus 4 if PC-relative: the field ends the
 * instruction).  Through a label, the linker put the label's string
 * somewhere and added the rest of the addend: string_off is that rest
 * (plus the same 4), so the string starts string_off bytes before the
 * place, which may be past its end.  0 otherwise.
 */
struct ksplice_pre_reloc {
	__u32 offset;
	__u16 type;			/* enum ksplice_reloc_type */
	__u16 pad;
	__u32 sym;			/* index into ksplice_unit.syms */
	__s32 string_off;
	__s64 addend;
};

/* Kinds of site in pre code that the kernel may have rewritten. */
enum ksplice_site_kind {
	KSPLICE_SITE_FTRACE = 1,	/* __mcount_loc: nop5 or call */
	KSPLICE_SITE_ALTERNATIVE = 2,	/* .altinstructions */
	KSPLICE_SITE_PARAVIRT = 3,	/* .parainstructions */
	KSPLICE_SITE_RETPOLINE = 4,	/* .retpoline_sites */
	KSPLICE_SITE_RETURN = 5,	/* .return_sites */
	KSPLICE_SITE_JUMP_LABEL = 6,	/* __jump_table code address */
	KSPLICE_SITE_STATIC_CALL = 7,	/* .static_call_sites */
	KSPLICE_SITE_SMP_LOCK = 8,	/* .smp_locks: lock prefix or ds */
	KSPLICE_SITE_BUG = 9,		/* __bug_table: ud2 */
	KSPLICE_SITE_EXTABLE = 10,	/* __ex_table: faulting insn */
};

/*
 * A site in pre code: [offset, offset + len) may differ from the pre bytes
 * in the ways its kind allows.  len == 0 means "one instruction".
 */
struct ksplice_site {
	__u32 offset;
	__u16 len;
	__u16 kind;			/* enum ksplice_site_kind */
};

/* struct ksplice_pre_sect.flags */
#define KSPLICE_SECT_TEXT	0x1
#define KSPLICE_SECT_RODATA	0x2
#define KSPLICE_SECT_DATA	0x4	/* writable: only relocations compared */
#define KSPLICE_SECT_STRING	0x8
#define KSPLICE_SECT_INIT	0x10	/* a module's init text: only while COMING */

/*
 * One pre-patch section of the CU (with -ffunction-sections, one function
 * or one data object).  Its address in the running kernel is found through
 * `sym`: the kallsyms candidates for that name, narrowed to the one whose
 * bytes match.
 */
struct ksplice_pre_sect {
	KSPLICE_PTR(const char, name);		/* ELF section, for messages */
	KSPLICE_PTR(const __u8, data);		/* pre bytes (size bytes) */
	KSPLICE_PTR(const struct ksplice_pre_reloc, relocs);
	KSPLICE_PTR(const struct ksplice_site, sites);
	__u32 size;
	__u32 nr_relocs;
	__u32 nr_sites;
	__u32 sym;				/* index into ksplice_unit.syms */
	__u32 sym_offset;			/* offset of sym in the section */
	__u32 flags;				/* KSPLICE_SECT_* */
};

/*
 * struct ksplice_reloc.flags: written when the patch module loads, by the
 * core's MODULE_STATE_COMING callback (first in the chain), not at apply.
 * The field is a key of a table entry (or in a site) that the kernel's own
 * COMING callbacks read; the symbol is the unit's module's, which must be
 * loaded then, found by its name alone, and stays loaded while the patch
 * module is.
 */
#define KSPLICE_RELOC_AT_LOAD	0x1

/* A late relocation: written into new code at apply time. */
struct ksplice_reloc {
	KSPLICE_PTR(void, where);	/* the field, in the patch module */
	__s64 addend;
	__u16 type;			/* enum ksplice_reloc_type */
	__u16 flags;			/* KSPLICE_RELOC_* */
	__u32 sym;			/* index into ksplice_unit.syms */
};

/* struct ksplice_func.flags */
#define KSPLICE_FUNC_FTRACE	0x1	/* has an ftrace site at offset 0 */
/*
 * In a module's init text (KSPLICE_SECT_INIT): patched into a module that
 * is still COMING (its init has not run), refused for one already live,
 * and forgotten when the module goes live (the module loader frees init).
 */
#define KSPLICE_FUNC_INIT	0x2

/*
 * A replaced function.  The loader writes a KSPLICE_JUMP_SIZE jump to
 * `repl` at (address of pre_sect) + jump_offset, where jump_offset is past
 * the ftrace site when there is one, so ftrace keeps working on the old
 * entry.  The differ refuses functions shorter than jump_offset + 5.
 */
struct ksplice_func {
	KSPLICE_PTR(const char, name);	/* as in PRE, for messages and sysfs */
	KSPLICE_PTR(void, repl);	/* the new function, in the patch */
	__u32 pre_sect;			/* index into ksplice_unit.pre */
	__u32 jump_offset;
	__u32 flags;			/* KSPLICE_FUNC_* */
	__u32 pad;
};

/*
 * Kinds of hook (struct ksplice_hook.kind): when the loader calls a hook
 * the patch registered with <ksplice/hooks.h>.
 */
enum ksplice_hook_kind {
	KSPLICE_HOOK_PRE_APPLY = 1,	/* before stopping the machine; may refuse */
	KSPLICE_HOOK_APPLY = 2,		/* machine stopped, at the commit point */
	KSPLICE_HOOK_POST_APPLY = 3,	/* after the jumps are written */
	KSPLICE_HOOK_FAIL_APPLY = 4,	/* apply failed after PRE_APPLY hooks ran */
	KSPLICE_HOOK_PRE_REVERSE = 5,	/* the same four for undo */
	KSPLICE_HOOK_REVERSE = 6,
	KSPLICE_HOOK_POST_REVERSE = 7,
	KSPLICE_HOOK_FAIL_REVERSE = 8,
};
#define KSPLICE_NR_HOOK_KINDS	8

/*
 * A hook: a function of the patch (new code, never matched against the
 * running kernel) that the loader calls at one stage of apply or undo.
 * `fn` is int (*)(void) for the PRE_* kinds (nonzero refuses) and
 * void (*)(void) for the others.  A unit lists its hooks by kind, and
 * within a kind in the order of their section in the compiled object.
 */
struct ksplice_hook {
	KSPLICE_PTR(void, fn);		/* in the patch module */
	KSPLICE_PTR(const char, name);	/* the function, for messages */
	__u32 kind;			/* enum ksplice_hook_kind */
	__u32 pad;
};

/*
 * An object of a module unit whose initial value the patch changes (same
 * size).  The loader copies `image` over it when the module comes
 * (MODULE_STATE_COMING: its data as the module loader left it, before
 * parse_args() and init); an update with such objects is refused while
 * the module is loaded, for apply and for undo.  `dst` is a late
 * relocation (KSPLICE_R_64) to the object, written at that time like any
 * other; the image's own pointers are ordinary or late relocations too.
 */
struct ksplice_data {
	KSPLICE_PTR(const char, name);	/* the object, for messages */
	KSPLICE_PTR(const void, image);	/* the new value, in the patch */
	KSPLICE_PTR(void, dst);		/* the object, in the module */
	__u32 size;
	__u32 pad;
};

/* One compilation unit's part of an update. */
struct ksplice_unit {
	__u32 magic;			/* KSPLICE_UNIT_MAGIC */
	__u32 version;			/* KSPLICE_ABI_VERSION */
	KSPLICE_PTR(const char, name);	/* the object, e.g. "fs/proc/cmdline.o" */
	KSPLICE_PTR(const char, target);	/* "vmlinux" or a module name */
	KSPLICE_PTR(const struct ksplice_symbol, syms);
	KSPLICE_PTR(const struct ksplice_pre_sect, pre);
	KSPLICE_PTR(const struct ksplice_func, funcs);
	KSPLICE_PTR(const struct ksplice_reloc, relocs);
	__u32 nr_syms;
	__u32 nr_pre;
	__u32 nr_funcs;
	__u32 nr_relocs;
	KSPLICE_PTR(const struct ksplice_hook, hooks);
	__u32 nr_hooks;
	__u32 nr_data;
	KSPLICE_PTR(const struct ksplice_data, data);
};

#define KSPLICE_SYMBOL_SIZE	16
#define KSPLICE_PRE_RELOC_SIZE	24
#define KSPLICE_SITE_SIZE	8
#define KSPLICE_PRE_SECT_SIZE	56
#define KSPLICE_RELOC_SIZE	24
#define KSPLICE_FUNC_SIZE	32
#define KSPLICE_HOOK_SIZE	24
#define KSPLICE_DATA_SIZE	32
#define KSPLICE_UNIT_SIZE	96

#endif /* KSPLICE_ABI_H */
