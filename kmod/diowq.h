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
#include <net/netlink.h>

#include <uapi/diowq.h>

#include "compat.h"

#define DIOWQ_NAME "diowq"

struct diowq_cg;

/*
 * A request for mode cgroup: the directory below which the leaf is made,
 * validated (diowq_cg_check_dir()) and pinned by the request, and how the
 * requester names it, to make the leaf relative to it: @dfd, an fd of the
 * requesting task on @dir, or AT_FDCWD and @dir_name, the absolute path
 * that was resolved to @dir.
 */
struct diowq_cg_req {
	struct path dir;
	int dfd;
	const char *dir_name;
	u32 weight;
};

/*
 * One completion workqueue of ours, installed in (or retiring from) a sb.
 * In mode cgroup it is the sentinel and @cg the thread that runs what is
 * queued on it (cgroup.c); the sentinel runs whatever is not diverted.
 */
struct diowq_queue {
	struct workqueue_struct *wq;
	struct diowq_cg *cg;
	enum diowq_mode mode;
	char name[DIOWQ_WQ_NAME_LEN];
	struct list_head node;		/* on diowq_queues while it exists */
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
	unsigned long swaps;		/* queue swaps since tuned_at */
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
		  const struct diowq_cg_req *cgreq, enum diowq_origin origin,
		  struct netlink_ext_ack *extack);
void diowq_sb_unmounting(struct diowq_sb *dsb);
bool diowq_cg_fall_back(struct super_block *sb, struct diowq_cg *cg);
bool diowq_sb_known(struct super_block *sb);
/* Requests (sysfs, netlink); @extack may be NULL. */
int diowq_check_mount_root(const struct path *path,
			   struct netlink_ext_ack *extack);
int diowq_tune_mount(const struct path *path, const enum diowq_mode *mode,
		     const struct diowq_cg_req *cgreq,
		     struct netlink_ext_ack *extack);
int diowq_untune_mount(const struct path *path,
		       struct netlink_ext_ack *extack);
int diowq_tune_dev(dev_t dev, const enum diowq_mode *mode,
		   const struct diowq_cg_req *cgreq,
		   struct netlink_ext_ack *extack);
int diowq_untune_dev(dev_t dev, struct netlink_ext_ack *extack);
bool diowq_with_dev_sb(dev_t dev, void (*fn)(struct super_block *sb, void *arg),
		       void *arg);
int diowq_untune_name(const char *s_id);
int diowq_untune_every(struct netlink_ext_ack *extack);
void diowq_requests_stop(void);
/* Readers: ->read() is called under the state lock. */
struct diowq_sb_reader {
	int (*read)(const struct diowq_sb *dsb, void *arg);
	void *arg;
};

int diowq_visit_tuned(const struct diowq_sb_reader *reader, long *pos);
int diowq_with_tuned_mount(const struct path *path,
			   const struct diowq_sb_reader *reader,
			   struct netlink_ext_ack *extack);
int diowq_with_tuned_dev(dev_t dev, const struct diowq_sb_reader *reader,
			 struct netlink_ext_ack *extack);

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
void diowq_queue_abandon(struct diowq_queue *q);
void diowq_queues_exit(void);
void diowq_retire_throttle(void);
void diowq_retire_flush(void);

/* cgroup.c */
int diowq_cg_check_dir(const struct path *dir, struct netlink_ext_ack *extack);
struct diowq_cg *diowq_cg_create(struct super_block *sb,
				 struct workqueue_struct *wq,
				 const struct diowq_cg_req *req,
				 struct netlink_ext_ack *extack);
int diowq_cg_set_weight(struct diowq_cg *cg, u32 weight,
			struct netlink_ext_ack *extack);
void diowq_cg_publish(struct diowq_cg *cg);
void diowq_cg_retire_begin(struct diowq_cg *cg);
void diowq_cg_destroy(struct diowq_cg *cg);
void diowq_cg_retire(struct diowq_cg *cg);
bool diowq_cg_retiring_any(void);
int diowq_cg_wait_retired(const char *s_id, bool hook);
const char *diowq_cg_leaf(const struct diowq_cg *cg);
bool diowq_cg_same_dir(const struct diowq_cg *cg, const struct path *dir);
u32 diowq_cg_weight(const struct diowq_cg *cg);
u64 diowq_cg_diverted(const struct diowq_cg *cg);
void diowq_cg_exit(void);

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

/* netlink.c */
int diowq_netlink_init(void);
void diowq_netlink_exit(void);
void diowq_nl_notify(enum diowq_event event, const struct diowq_sb *dsb);

/* autotune.c */
#define DIOWQ_AUTO_RESCAN_MS 1000
struct diowq_auto_list {
	unsigned int nr;
	struct file_system_type *types[DIOWQ_NR_FSTYPES];
};

int diowq_auto_parse(const char *str, struct diowq_auto_list *list);
void diowq_auto_list_release(struct diowq_auto_list *list);
int diowq_auto_install(struct diowq_auto_list *list);
int diowq_auto_commit(struct diowq_auto_list *list);
void diowq_auto_start(void);
int diowq_auto_set(const char *str);
ssize_t diowq_auto_format(char *buf, size_t size);
void diowq_auto_stop(void);

#endif /* _DIOWQ_H */
