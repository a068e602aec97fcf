/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diowq: dedicated direct-I/O completion workqueues for chosen superblocks.
 *
 * Internal interfaces between the module's files. The user-visible names
 * live in include/uapi/diowq.h; the locking protocol is described at the
 * top of registry.c and in docs/design.md.
 */
#ifndef _DIOWQ_H
#define _DIOWQ_H

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "compat.h"

#define DIOWQ_NAME "diowq"

enum diowq_mode {
	DIOWQ_MODE_HIGHPRI,	/* per-CPU, nice -20 */
	DIOWQ_MODE_UNBOUND,	/* unbound, nice/cpumask tunable in sysfs */
	DIOWQ_NR_MODES,
};

enum diowq_origin {
	DIOWQ_ORIGIN_MANUAL,
	DIOWQ_ORIGIN_AUTO,
};

/* One completion workqueue of ours, installed in (or retiring from) a sb. */
struct diowq_queue {
	struct workqueue_struct *wq;
	enum diowq_mode mode;
	char name[DIOWQ_WQ_NAME_LEN];
	struct list_head retire_node;	/* on the retire lists, see swap.c */
};

/*
 * A superblock diowq knows about: tuned (queue != NULL), or excluded from
 * auto-tuning because a user untuned it (queue == NULL). The fsnotify mark
 * on the root inode tells us when the superblock shuts down; the mark's
 * reference count owns this structure's memory (see unmount.c).
 */
struct diowq_sb {
	struct fsnotify_mark mark;
	struct list_head node;		/* in the registry, under state lock */
	struct super_block *sb;		/* valid while on the registry list */
	struct diowq_queue *queue;	/* ours, installed in s_dio_done_wq */
	struct workqueue_struct *kernel_wq;	/* the sb's own dio/<s_id> */
	struct kobject *dir;		/* /sys/fs/diowq/<s_id>/ while tuned */
	enum diowq_mode mode;
	enum diowq_origin origin;
	unsigned long tuned_at;		/* jiffies */
	unsigned long swaps;
	char source[BDEVNAME_SIZE + 8];
};

/* main.c */
extern enum diowq_mode diowq_default_mode;

/* registry.c */
extern struct mutex diowq_ctl_lock;
extern struct mutex diowq_state_lock;
bool diowq_fstype_supported(const struct file_system_type *type);
bool diowq_fstype_name_supported(const char *name);
#define DIOWQ_NR_FSTYPES 2
extern const char *const diowq_supported_fstypes[DIOWQ_NR_FSTYPES + 1];
int diowq_tune_sb(struct super_block *sb, enum diowq_mode mode,
		  enum diowq_origin origin);
int diowq_tune_path(const char *path, const enum diowq_mode *mode);
int diowq_untune_path(const char *path);
int diowq_untune_name(const char *s_id);
void diowq_sb_unmounting(struct diowq_sb *dsb);
bool diowq_sb_known(struct super_block *sb);
void diowq_untune_all(void);

/* swap.c */
const char *diowq_mode_name(enum diowq_mode mode);
int diowq_mode_parse(const char *name, enum diowq_mode *mode);
int diowq_kernel_queue_ensure(struct super_block *sb);
struct diowq_queue *diowq_queue_create(struct super_block *sb,
				       enum diowq_mode mode);
void diowq_queue_destroy_unused(struct diowq_queue *q);
int diowq_queue_swap(struct super_block *sb, struct workqueue_struct *from,
		     struct workqueue_struct *to);
void diowq_queue_retire(struct diowq_queue *q);
void diowq_retire_throttle(void);
void diowq_retire_flush(void);

/* unmount.c */
int diowq_unmount_watch_init(void);
void diowq_unmount_watch_exit(void);
struct diowq_sb *diowq_sb_alloc(void);
int diowq_sb_watch(struct diowq_sb *dsb, struct super_block *sb);
void diowq_sb_unwatch(struct diowq_sb *dsb);

/* sysfs.c */
int diowq_sysfs_init(void);
void diowq_sysfs_exit_begin(void);
void diowq_sysfs_exit_end(void);
int diowq_sysfs_add_sb(struct diowq_sb *dsb);
void diowq_sysfs_del_sb(struct diowq_sb *dsb);

/* autotune.c */
#define DIOWQ_AUTO_RESCAN_MS 1000
int diowq_auto_set(const char *list);
ssize_t diowq_auto_show(char *buf);
void diowq_auto_stop(void);

#endif /* _DIOWQ_H */
