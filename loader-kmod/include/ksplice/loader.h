/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registration API between a patch module and the core module
 * (ksplice.ko).  A patch module's init calls ksplice_register_update() with
 * the update id, its description and the units the differ produced; its
 * exit calls ksplice_unregister_update().  Applying, checking and undoing
 * are asked for through sysfs (/sys/kernel/ksplice/<id>/stage).  While the
 * update is applied the core holds a reference on the patch module, so it
 * cannot be unloaded.
 */
#ifndef KSPLICE_LOADER_H
#define KSPLICE_LOADER_H

#include <ksplice/abi.h>

struct module;
struct ksplice_update;

struct ksplice_update *ksplice_register_update(struct module *owner,
					       const char *id,
					       const char *description,
					       struct ksplice_unit *const *units,
					       unsigned int nr_units);
void ksplice_unregister_update(struct ksplice_update *update);

#endif /* KSPLICE_LOADER_H */
