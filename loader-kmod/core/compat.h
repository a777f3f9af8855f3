/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between supported kernels, in one place.
 * Supported: Linux 6.1 (x86-64).
 */
#ifndef KSPLICE_COMPAT_H
#define KSPLICE_COMPAT_H

#include <linux/module.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#error "ksplice: module layout changed in 6.4 (mod->mem[]); not supported yet"
#endif

/*
 * The stack check reads kretprobes' saved return addresses from rethook
 * nodes (stack_check.c); the older per-task kretprobe_instances list is not
 * read, so refuse to build rather than miss them.
 */
#if defined(CONFIG_KRETPROBES) && !defined(CONFIG_KRETPROBE_ON_RETHOOK)
#error "ksplice: kretprobes without rethook are not supported"
#endif

/* The patch module's core (non-init) text. */
static inline unsigned long ksplice_module_text(struct module *mod,
						unsigned long *size)
{
	*size = mod->core_layout.text_size;
	return (unsigned long)mod->core_layout.base;
}

static inline bool ksplice_within_module_core(unsigned long addr,
					      struct module *mod)
{
	return within_module_core(addr, mod);
}

#endif /* KSPLICE_COMPAT_H */
