/* SPDX-License-Identifier: GPL-2.0 */
/* Registration, behind the exported wrappers of export.c (see there). */
#ifndef KSPLICE_REGISTER_H
#define KSPLICE_REGISTER_H

#include <ksplice/loader.h>

struct ksplice_update *ksplice_do_register(struct module *owner,
					   const char *id,
					   const char *description,
					   struct ksplice_unit *const *units,
					   unsigned int nr_units);
void ksplice_do_unregister(struct ksplice_update *update);

#endif /* KSPLICE_REGISTER_H */
