/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests of diowqctl's dispatch-latency BPF program look at from
 * outside it: which of its programs the kernel has loaded, and whether a
 * watch is pinned.
 */
#ifndef DIOWQ_SELFTEST_BPF_H
#define DIOWQ_SELFTEST_BPF_H

#include <stdbool.h>

/* Where `diowqctl watch --all` pins the program (bpf/dispatch_probe.hpp). */
#define DQ_BPF_PIN_DIR "/sys/fs/bpf/diowq"
/* The prefix of its programs' names (tools/src/bpf/dispatch.bpf.c). */
#define DQ_BPF_PROG_PREFIX "dq_"

/*
 * How many BPF programs whose name starts with prefix the kernel has
 * loaded now (attached or being released), or -errno.
 */
int dq_bpf_programs(const char *prefix);
/* Is a watch pinned? */
bool dq_bpf_watch_pinned(void);

#endif /* DIOWQ_SELFTEST_BPF_H */
