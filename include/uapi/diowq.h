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
 *   tune             w   "[MODE ]/abs/path/of/mountpoint"
 *   untune           w   "/abs/path/of/mountpoint" or a tuned s_id
 *   <s_id>/          one read-only directory per tuned superblock:
 *       mode, fstype, source, dev, workqueue, origin, swaps, tuned_ms
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
#define DIOWQ_SB_ATTR_TUNED_MS		"tuned_ms"

/* Completion queue modes, as spelled in sysfs. */
#define DIOWQ_MODE_HIGHPRI_NAME		"highpri"
#define DIOWQ_MODE_UNBOUND_NAME		"unbound"

/* How a superblock came to be tuned, as spelled in "origin". */
#define DIOWQ_ORIGIN_MANUAL_NAME	"manual"
#define DIOWQ_ORIGIN_AUTO_NAME		"auto"

/*
 * Our completion queue is called DIOWQ_WQ_PREFIX<s_id>; its workers show
 * as e.g. "kworker/1:2H-diowq-vdb", and in unbound mode its tunables live
 * in /sys/devices/virtual/workqueue/diowq-<s_id>/ (nice, cpumask).
 */
#define DIOWQ_WQ_PREFIX			"diowq-"
#define DIOWQ_WQ_SYSFS_ROOT		"/sys/devices/virtual/workqueue"

#endif /* _UAPI_DIOWQ_H */
