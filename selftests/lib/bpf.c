// SPDX-License-Identifier: GPL-2.0
/*
 * Loaded BPF programs by name, through the bpf(2) syscall itself (no
 * libbpf): see bpf.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf.h"

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int dq_bpf_programs(const char *prefix)
{
	union bpf_attr attr;
	__u32 id = 0;
	int n = 0;

	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (bpf(BPF_PROG_GET_NEXT_ID, &attr))
			return errno == ENOENT ? n : -errno;
		id = attr.next_id;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;
		fd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue;	/* gone meanwhile */
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (__u64)(unsigned long)&info;
		if (!bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) &&
		    !strncmp(info.name, prefix, strlen(prefix)))
			n++;
		close(fd);
	}
}

bool dq_bpf_watch_pinned(void)
{
	return !access(DQ_BPF_PIN_DIR, F_OK);
}
