/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine state every test starts from and returns to: nothing of
 * ours running, nothing mounted below DQ_MNT_BASE, diowq not loaded.
 */
#ifndef DIOWQ_SELFTEST_ENV_H
#define DIOWQ_SELFTEST_ENV_H

/*
 * Stop our writer and sampler threads, close our files, unmount everything
 * below DQ_MNT_BASE and unload diowq. Idempotent; every fixture setup
 * starts with it (a test killed by the harness's timeout never ran its
 * teardown) and every teardown ends with it. 0 or the first -errno.
 */
int dq_machine_reset(void);

#endif /* DIOWQ_SELFTEST_ENV_H */
