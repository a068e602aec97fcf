/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading and unloading diowq.ko with the raw syscalls, so the tests see
 * the kernel's errno (insmod and rmmod would only give an exit status).
 */
#ifndef DIOWQ_SELFTEST_MODULE_H
#define DIOWQ_SELFTEST_MODULE_H

#include <stdbool.h>

#define DQ_MODULE_NAME "diowq"

/* $DIOWQ_KO, set by the VM's test runner; NULL when unset. */
const char *dq_module_path(void);

/*
 * finit_module($DIOWQ_KO, params): params is the insmod argument string,
 * e.g. "auto_fstypes=xfs,ext4 default_mode=unbound", or "" for none.
 */
int dq_module_load(const char *params);

/* delete_module("diowq", O_NONBLOCK), as rmmod does it. */
int dq_module_unload(void);

/* Is diowq in the kernel, live or on its way in or out? */
bool dq_module_loaded(void);

#endif /* DIOWQ_SELFTEST_MODULE_H */
