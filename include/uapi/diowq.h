/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * diowq user-space interface: names shared by the kernel module and its
 * tools. Everything here is ABI once released; add, never renumber.
 *
 * sysfs layout (all under DIOWQ_SYSFS_ROOT):
 *
 *   version          r   module version string
 *   supported_fstypes r  comma-separated filesystem types diowq can tune
 *   default_mode     rw  mode used when a tune request names none
 *   auto_fstypes     rw  comma-separated types tuned automatically
 *   auto_rescan_ms   r   period of the rescan that finds new mounts
 *   tune             w   "[MODE ]/abs/path/of/mountpoint", or
 *                        "cgroup /abs/mountpoint /sys/fs/cgroup/<dir>[ W]"
 *                        (W: the leaf's cpu.weight, 1..10000, default
 *                        DIOWQ_CG_WEIGHT; tuning again below the same
 *                        directory with another W changes it in place)
 *   untune           w   "/abs/path/of/mountpoint" or a tuned s_id
 *   <s_id>/          one read-only directory per tuned superblock:
 *       mode, fstype, source, dev, workqueue, origin, swaps, cgroup,
 *       cgroup_weight, diverted, tuned_ms
 */
#ifndef _UAPI_DIOWQ_H
#define _UAPI_DIOWQ_H

#define DIOWQ_VERSION		"0.1.0"

#define DIOWQ_SYSFS_ROOT	"/sys/fs/diowq"

/* Global attributes. */
#define DIOWQ_ATTR_VERSION		"version"
#define DIOWQ_ATTR_SUPPORTED_FSTYPES	"supported_fstypes"
#define DIOWQ_ATTR_DEFAULT_MODE		"default_mode"
#define DIOWQ_ATTR_AUTO_FSTYPES		"auto_fstypes"
#define DIOWQ_ATTR_AUTO_RESCAN_MS	"auto_rescan_ms"
#define DIOWQ_ATTR_TUNE			"tune"
#define DIOWQ_ATTR_UNTUNE		"untune"

/* Per-superblock attributes, in DIOWQ_SYSFS_ROOT/<s_id>/. */
#define DIOWQ_SB_ATTR_MODE		"mode"
#define DIOWQ_SB_ATTR_FSTYPE		"fstype"
#define DIOWQ_SB_ATTR_SOURCE		"source"
#define DIOWQ_SB_ATTR_DEV		"dev"
#define DIOWQ_SB_ATTR_WORKQUEUE		"workqueue"
#define DIOWQ_SB_ATTR_ORIGIN		"origin"
#define DIOWQ_SB_ATTR_SWAPS		"swaps"
#define DIOWQ_SB_ATTR_CGROUP		"cgroup"	/* leaf; "" if not cgroup */
#define DIOWQ_SB_ATTR_CGROUP_WEIGHT	"cgroup_weight"	/* leaf's; 0 if none */
#define DIOWQ_SB_ATTR_DIVERTED		"diverted"	/* items run by our thread */
#define DIOWQ_SB_ATTR_TUNED_MS		"tuned_ms"

/* Completion queue modes: netlink values, and their sysfs spellings. */
enum diowq_mode {
	DIOWQ_MODE_HIGHPRI,	/* per-CPU, nice -20 */
	DIOWQ_MODE_UNBOUND,	/* unbound, nice/cpumask tunable in sysfs */
	/*
	 * Prototype (issue #16): completions run in a kthread of ours in a
	 * leaf cgroup below a given cgroup v2 directory; a highpri queue is
	 * installed as the sentinel. Needs a directory per request (sysfs
	 * "tune", netlink TUNE with CGROUP_FD): never a default mode.
	 */
	DIOWQ_MODE_CGROUP,
	__DIOWQ_MODE_MAX,
};

#define DIOWQ_MODE_MAX (__DIOWQ_MODE_MAX - 1)
#define DIOWQ_MODE_HIGHPRI_NAME		"highpri"
#define DIOWQ_MODE_UNBOUND_NAME		"unbound"
#define DIOWQ_MODE_CGROUP_NAME		"cgroup"

/*
 * Mode cgroup: the leaf cgroup diowq creates below the named directory,
 * DIOWQ_CG_LEAF_PREFIX<s_id>, with cpu.weight DIOWQ_CG_WEIGHT unless the
 * request names one in [DIOWQ_CG_WEIGHT_MIN, DIOWQ_CG_WEIGHT_MAX] (the
 * range of cpu.weight); its one thread is called
 * DIOWQ_CG_THREAD_PREFIX<s_id> (comm, 15 characters). The default is
 * cgroup v2's own: a leaf weighing more than the pod's other children
 * shrinks the pod's share on its submitters' CPUs (docs/benchmarks.md,
 * the isolation bench).
 */
#define DIOWQ_CG_LEAF_PREFIX		"diowq-"
#define DIOWQ_CG_WEIGHT			100
#define DIOWQ_CG_WEIGHT_MIN		1
#define DIOWQ_CG_WEIGHT_MAX		10000
#define DIOWQ_CG_THREAD_PREFIX		"diowqcg/"

/* How a superblock came to be tuned; "origin" in sysfs. */
enum diowq_origin {
	DIOWQ_ORIGIN_MANUAL,
	DIOWQ_ORIGIN_AUTO,
	__DIOWQ_ORIGIN_MAX,
};

#define DIOWQ_ORIGIN_MANUAL_NAME	"manual"
#define DIOWQ_ORIGIN_AUTO_NAME		"auto"

/*
 * Our completion queue is called DIOWQ_WQ_PREFIX<s_id>; its workers show
 * as e.g. "kworker/1:2H-diowq-vdb", and in unbound mode its tunables live
 * in /sys/devices/virtual/workqueue/diowq-<s_id>/ (nice, cpumask).
 */
#define DIOWQ_WQ_PREFIX			"diowq-"
#define DIOWQ_WQ_SYSFS_ROOT		"/sys/devices/virtual/workqueue"

/*
 * Generic netlink family DIOWQ_GENL_NAME. The family version changes only
 * on an incompatible change; new attributes and commands are additions.
 * Every command that changes state needs CAP_SYS_ADMIN. Attributes are
 * validated strictly: unknown, malformed or out-of-range ones fail the
 * request with an extended ack message, and nothing changes.
 */
#define DIOWQ_GENL_NAME			"diowq"
#define DIOWQ_GENL_VERSION		1
#define DIOWQ_GENL_MCGRP_EVENTS		"events"

enum diowq_cmd {
	DIOWQ_CMD_UNSPEC,
	/* -> VERSION, SUPPORTED_FSTYPES, DEFAULT_MODE, AUTO_FSTYPES,
	 *    AUTO_RESCAN_MS
	 */
	DIOWQ_CMD_GET_CONFIG,
	/* DEFAULT_MODE and/or AUTO_FSTYPES; all or nothing. Admin. */
	DIOWQ_CMD_SET_CONFIG,
	/*
	 * Dump: one reply per tuned superblock. Do: the superblock named by
	 * FD or DEV_MAJOR + DEV_MINOR (ENOENT if it is not tuned).
	 * Replies: SB_ID, FSTYPE, SOURCE, DEV_MAJOR, DEV_MINOR, MODE,
	 * WORKQUEUE, ORIGIN, SWAPS, TUNED_MS; in mode cgroup also CGROUP,
	 * CGROUP_WEIGHT and DIVERTED.
	 */
	DIOWQ_CMD_GET_SB,
	/*
	 * FD or DEV_MAJOR + DEV_MINOR, optional MODE. Admin. MODE cgroup
	 * needs CGROUP_FD (and takes CGROUP_WEIGHT); no other mode takes
	 * them. Tuning again below the same directory changes the weight
	 * in place.
	 */
	DIOWQ_CMD_TUNE,
	/*
	 * FD or DEV_MAJOR + DEV_MINOR, or ALL. Admin. Like every netlink
	 * request it does not wait for the old queue to be destroyed: in mode
	 * cgroup the leaf is removed shortly after the reply (a retire worker
	 * waits for RCU grace periods and the thread's last item first). A
	 * caller that needs it gone (to rmdir the pod's cgroup) reads CGROUP
	 * from GET_SB first and polls until that directory is gone; sysfs
	 * "untune" returns only once it is.
	 */
	DIOWQ_CMD_UNTUNE,
	/* Multicast on DIOWQ_GENL_MCGRP_EVENTS: EVENT + the GET_SB reply. */
	DIOWQ_CMD_EVENT,
	/*
	 * Retired: the module measured dispatch latency up to version 0.1
	 * (WATCH, UNWATCH, GET_WATCH, the GET_LATENCY dump). diowqctl now
	 * measures it with a BPF program that needs no module; these answer
	 * EOPNOTSUPP with an extended ack saying so, and keep their numbers.
	 */
	DIOWQ_CMD_WATCH,
	DIOWQ_CMD_UNWATCH,
	DIOWQ_CMD_GET_WATCH,
	DIOWQ_CMD_GET_LATENCY,
	__DIOWQ_CMD_MAX,
};

#define DIOWQ_CMD_MAX (__DIOWQ_CMD_MAX - 1)

enum diowq_attr {
	DIOWQ_A_UNSPEC,
	DIOWQ_A_PAD,
	DIOWQ_A_VERSION,		/* string, reply only */
	DIOWQ_A_SUPPORTED_FSTYPES,	/* string "xfs,ext4", reply only */
	DIOWQ_A_DEFAULT_MODE,		/* u32, enum diowq_mode */
	DIOWQ_A_AUTO_FSTYPES,		/* string, "" clears */
	DIOWQ_A_AUTO_RESCAN_MS,		/* u32, reply only */
	DIOWQ_A_FD,			/* s32: an open fd of a mount's root */
	DIOWQ_A_DEV_MAJOR,		/* u32: the filesystem's st_dev */
	DIOWQ_A_DEV_MINOR,		/* u32 */
	DIOWQ_A_MODE,			/* u32, enum diowq_mode */
	DIOWQ_A_ALL,			/* flag: UNTUNE every tuned superblock */
	DIOWQ_A_SB_ID,			/* string, reply only */
	DIOWQ_A_FSTYPE,			/* string, reply only */
	DIOWQ_A_SOURCE,			/* string, reply only */
	DIOWQ_A_WORKQUEUE,		/* string, reply only */
	DIOWQ_A_ORIGIN,			/* u32, enum diowq_origin, reply only */
	DIOWQ_A_SWAPS,			/* u64, reply only */
	DIOWQ_A_TUNED_MS,		/* u64, reply only */
	DIOWQ_A_EVENT,			/* u32, enum diowq_event, event only */
	/*
	 * Retired with the dispatch-latency commands; refused in requests,
	 * never sent. They keep their numbers.
	 */
	DIOWQ_A_PROBES,
	DIOWQ_A_WATCH_ALL,
	DIOWQ_A_WATCHED,
	DIOWQ_A_PROBE_NS,
	DIOWQ_A_PROBE_HITS,
	DIOWQ_A_UNMATCHED,
	DIOWQ_A_HIST_BUCKETS,
	DIOWQ_A_CPU,
	DIOWQ_A_CPU_ONLINE,
	DIOWQ_A_COMPLETIONS,
	DIOWQ_A_LATENCY_SUM_NS,
	DIOWQ_A_LATENCY_MAX_NS,
	DIOWQ_A_LATENCY_HIST,
	DIOWQ_A_WORKER_PID,
	DIOWQ_A_WORKER_NICE,
	DIOWQ_A_CLEAR_MAX,
	/*
	 * Mode cgroup. CGROUP_FD: s32, an open file descriptor of a cgroup v2
	 * directory (O_RDONLY | O_DIRECTORY) below which the leaf is made, as
	 * the requester sees it (its mount, cgroup and pid namespaces, its
	 * credentials). CGROUP_WEIGHT: u32, the leaf's cpu.weight, default
	 * DIOWQ_CG_WEIGHT. CGROUP: string, the leaf's path as the requester
	 * of the tune saw it, reply only. DIVERTED: u64, completions run by
	 * the leaf's thread, reply only.
	 */
	DIOWQ_A_CGROUP_FD,
	DIOWQ_A_CGROUP_WEIGHT,
	DIOWQ_A_CGROUP,
	DIOWQ_A_DIVERTED,
	__DIOWQ_A_MAX,
};

#define DIOWQ_A_MAX (__DIOWQ_A_MAX - 1)

/* Longest AUTO_FSTYPES accepted (a list of the supported names). */
#define DIOWQ_AUTO_FSTYPES_MAXLEN	64

enum diowq_event {
	DIOWQ_EVENT_UNSPEC,
	DIOWQ_EVENT_TUNED,		/* by a request */
	DIOWQ_EVENT_AUTO_TUNED,		/* by auto_fstypes */
	DIOWQ_EVENT_MODE_CHANGED,
	DIOWQ_EVENT_UNTUNED,		/* by a request or module unload */
	DIOWQ_EVENT_UNMOUNTED,		/* untuned because it was unmounted */
	DIOWQ_EVENT_CGROUP_FALLBACK,	/* mode cgroup: no task left below
					 * its cgroup, now highpri
					 */
	__DIOWQ_EVENT_MAX,
};

#define DIOWQ_EVENT_MAX (__DIOWQ_EVENT_MAX - 1)

#endif /* _UAPI_DIOWQ_H */
