// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/fs/diowq: global settings and requests, and one read-only directory
 * per tuned superblock. Layout and value spellings: include/uapi/diowq.h.
 *
 * Every store validates the whole request before changing anything and
 * returns -errno on bad input with nothing changed. Show handlers take no
 * lock of the registry (see the locking protocol in registry.c).
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/kdev_t.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/rcupdate.h>
#include <linux/sysfs.h>
#include <linux/wait_bit.h>

#include <uapi/diowq.h>

#include "diowq.h"

static struct kobject *diowq_root;

/*
 * Check and copy a request: strip one trailing newline (echo adds it), refuse an
 * embedded NUL. kernfs never calls us for an empty write, and cuts longer
 * writes to PAGE_SIZE: a request that long may have lost its end, so it is
 * refused rather than half read.
 */
static char *diowq_request_dup(const char *buf, size_t count)
{
	char *req;

	/*
	 * The files are root's (0200/0644), but root without CAP_SYS_ADMIN
	 * must not change what netlink would refuse it either.
	 */
	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	if (count >= PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (count && buf[count - 1] == '\n')
		count--;
	if (memchr(buf, '\0', count))
		return ERR_PTR(-EINVAL);
	req = kmemdup_nul(buf, count, GFP_KERNEL);
	return req ?: ERR_PTR(-ENOMEM);
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", DIOWQ_VERSION);
}

static ssize_t supported_fstypes_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	const char *const *t;
	int len = 0;

	for (t = diowq_supported_fstypes; *t; t++)
		len += sysfs_emit_at(buf, len, "%s%s",
				     t == diowq_supported_fstypes ? "" : ",",
				     *t);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t auto_rescan_ms_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", DIOWQ_AUTO_RESCAN_MS);
}

static ssize_t default_mode_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  diowq_mode_name(READ_ONCE(diowq_default_mode)));
}

static ssize_t default_mode_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	enum diowq_mode mode;
	char *req;
	int err;

	req = diowq_request_dup(buf, count);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = diowq_mode_parse(req, &mode);
	kfree(req);
	if (err)
		return err;
	/* Mode cgroup needs a cgroup per request. */
	if (mode == DIOWQ_MODE_CGROUP)
		return -EINVAL;

	mutex_lock(&diowq_ctl_lock);
	WRITE_ONCE(diowq_default_mode, mode);
	mutex_unlock(&diowq_ctl_lock);
	return count;
}

static ssize_t auto_fstypes_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	ssize_t len = diowq_auto_format(buf, PAGE_SIZE - 1);

	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t auto_fstypes_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	char *req = diowq_request_dup(buf, count);
	int err;

	if (IS_ERR(req))
		return PTR_ERR(req);
	err = diowq_auto_set(req);
	kfree(req);
	return err ?: count;
}

/*
 * Mode cgroup's "/absolute/cgroup/dir[ WEIGHT]", the end of a tune
 * request: the directory is the last word that starts with '/' (it cannot
 * contain spaces; the mount point before it can), optionally followed by
 * the leaf's cpu.weight. Cuts @path before them; resolves and validates
 * the directory into @cgreq (pinned: path_put() it).
 */
static int diowq_sysfs_cgroup_req(char *path, struct diowq_cg_req *cgreq)
{
	char *sep = strrchr(path, ' ');
	int err;

	cgreq->weight = DIOWQ_CG_WEIGHT;
	if (sep && sep[1] != '/') {
		err = kstrtou32(sep + 1, 10, &cgreq->weight);
		if (err || cgreq->weight < DIOWQ_CG_WEIGHT_MIN ||
		    cgreq->weight > DIOWQ_CG_WEIGHT_MAX)
			return -EINVAL;
		*sep = '\0';
		sep = strrchr(path, ' ');
	}
	if (!sep || sep[1] != '/')
		return -EINVAL;
	*sep = '\0';
	cgreq->dfd = AT_FDCWD;
	cgreq->dir_name = sep + 1;
	err = kern_path(cgreq->dir_name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			&cgreq->dir);
	if (err)
		return err;
	err = diowq_cg_check_dir(&cgreq->dir, NULL);
	if (err)
		path_put(&cgreq->dir);
	return err;
}

/*
 * "[MODE ]/absolute/mountpoint": paths may contain spaces, modes cannot.
 * The path is resolved before any lock is taken: a lookup can block
 * (automounts, FUSE) and must not stall other requests.
 *
 * "cgroup /absolute/mountpoint /absolute/cgroup/dir[ WEIGHT]": see
 * diowq_sysfs_cgroup_req().
 *
 * Unlike netlink, a sysfs request returns once the superblock's cgroup
 * thread it retired is gone with its leaf (the pod's cgroup can be
 * removed once the write returns), and a cgroup tune first waits for the
 * superblock's retirements under way and the hook's removal (so that
 * toggling back below the same directory finds the leaf's name free and
 * can take the hook). No other request waits; the waits hold no lock and
 * are killable (diowq_cg_wait_retired()): a fatal signal before the
 * change refuses it (-EINTR), after it ends only the wait.
 */
static ssize_t tune_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	char *req = diowq_request_dup(buf, count);
	struct diowq_cg_req cgreq;
	enum diowq_mode mode;
	bool has_mode = false;
	bool cgroup = false;
	char s_id[sizeof_field(struct super_block, s_id)];
	struct path mnt;
	char *path;
	int err;

	if (IS_ERR(req))
		return PTR_ERR(req);
	path = req;
	if (req[0] != '/') {
		char *sep = strchr(req, ' ');

		err = -EINVAL;
		if (!sep)
			goto out;
		*sep = '\0';
		err = diowq_mode_parse(req, &mode);
		if (err)
			goto out;
		has_mode = true;
		path = sep + 1;
	}
	err = -EINVAL;
	if (path[0] != '/')
		goto out;
	if (has_mode && mode == DIOWQ_MODE_CGROUP) {
		err = diowq_sysfs_cgroup_req(path, &cgreq);
		if (err)
			goto out;
		cgroup = true;
	}
	err = kern_path(path, LOOKUP_FOLLOW, &mnt);
	if (err)
		goto out_cgroup;
	strscpy(s_id, mnt.mnt->mnt_sb->s_id, sizeof(s_id));
	err = cgroup ? diowq_cg_wait_retired(s_id, true) : 0;
	if (!err)
		err = diowq_tune_mount(&mnt, has_mode ? &mode : NULL,
				       cgroup ? &cgreq : NULL, NULL);
	path_put(&mnt);
	if (err != -EINTR)
		diowq_cg_wait_retired(s_id, false);
out_cgroup:
	if (cgroup)
		path_put(&cgreq.dir);
out:
	kfree(req);
	return err ?: count;
}

/*
 * "/absolute/mountpoint", or the s_id of a tuned superblock. Returns once
 * a cgroup thread it retired is gone with its leaf (see tune_store()).
 */
static ssize_t untune_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	char *req = diowq_request_dup(buf, count);
	char s_id[sizeof_field(struct super_block, s_id)] = "";
	struct path mnt;
	int err;

	if (IS_ERR(req))
		return PTR_ERR(req);
	if (!req[0]) {
		err = -EINVAL;
	} else if (req[0] == '/') {
		err = kern_path(req, LOOKUP_FOLLOW, &mnt);
		if (!err) {
			strscpy(s_id, mnt.mnt->mnt_sb->s_id, sizeof(s_id));
			err = diowq_untune_mount(&mnt, NULL);
			path_put(&mnt);
		}
	} else if (strchr(req, ' ')) {
		err = -EINVAL;	/* names have no spaces; paths start with / */
	} else {
		strscpy(s_id, req, sizeof(s_id));
		err = diowq_untune_name(req);
	}
	kfree(req);
	if (s_id[0])
		diowq_cg_wait_retired(s_id, false);
	return err ?: count;
}

static struct kobj_attribute diowq_attr_version = __ATTR_RO(version);
static struct kobj_attribute diowq_attr_supported_fstypes =
	__ATTR_RO(supported_fstypes);
static struct kobj_attribute diowq_attr_auto_rescan_ms =
	__ATTR_RO(auto_rescan_ms);
static struct kobj_attribute diowq_attr_default_mode =
	__ATTR_RW_MODE(default_mode, 0644);
static struct kobj_attribute diowq_attr_auto_fstypes =
	__ATTR_RW_MODE(auto_fstypes, 0644);
static struct kobj_attribute diowq_attr_tune = __ATTR_WO(tune);
static struct kobj_attribute diowq_attr_untune = __ATTR_WO(untune);

static struct attribute *diowq_global_attrs[] = {
	&diowq_attr_version.attr,
	&diowq_attr_supported_fstypes.attr,
	&diowq_attr_auto_rescan_ms.attr,
	&diowq_attr_default_mode.attr,
	&diowq_attr_auto_fstypes.attr,
	&diowq_attr_tune.attr,
	&diowq_attr_untune.attr,
	NULL,
};

static const struct attribute_group diowq_global_group = {
	.attrs = diowq_global_attrs,
};

/* Per-superblock directories. */

struct diowq_sb_dir {
	struct kobject kobj;
	struct diowq_sb *dsb;	/* valid until kobject_del() returns */
};

static struct diowq_sb *to_dsb(struct kobject *kobj)
{
	return container_of(kobj, struct diowq_sb_dir, kobj)->dsb;
}

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  diowq_mode_name(READ_ONCE(to_dsb(kobj)->mode)));
}

static ssize_t fstype_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_dsb(kobj)->sb->s_type->name);
}

static ssize_t source_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_dsb(kobj)->source);
}

static ssize_t dev_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	dev_t dev = to_dsb(kobj)->sb->s_dev;

	return sysfs_emit(buf, "%u:%u\n", MAJOR(dev), MINOR(dev));
}

/*
 * The queue may be switched while we read its name; the old one is freed
 * by the retire worker only after grace periods, long after this returns,
 * but read the pointer once anyway.
 */
static ssize_t workqueue_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct diowq_queue *q = READ_ONCE(to_dsb(kobj)->queue);

	return sysfs_emit(buf, "%s\n", q ? q->name : "");
}

static ssize_t origin_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	bool is_auto = READ_ONCE(to_dsb(kobj)->origin) == DIOWQ_ORIGIN_AUTO;

	return sysfs_emit(buf, "%s\n", is_auto ? DIOWQ_ORIGIN_AUTO_NAME :
						 DIOWQ_ORIGIN_MANUAL_NAME);
}

static ssize_t swaps_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(to_dsb(kobj)->swaps));
}

/*
 * Mode cgroup: the leaf cgroup, its weight and how many items its thread
 * ran. Under rcu_read_lock(): the queue and its diowq_cg are freed only
 * after a grace period since they were unpublished from the superblock
 * (swap.c, cgroup.c), and the pod watch may take the diowq_cg away at any
 * time (registry.c, diowq_cg_fall_back()).
 */
enum diowq_cg_attr { DIOWQ_CG_ATTR_LEAF, DIOWQ_CG_ATTR_WEIGHT,
		     DIOWQ_CG_ATTR_DIVERTED };

static ssize_t diowq_cg_attr_show(struct kobject *kobj, char *buf,
				  enum diowq_cg_attr which)
{
	const struct diowq_queue *q;
	const struct diowq_cg *cg;
	ssize_t n;

	rcu_read_lock();
	q = READ_ONCE(to_dsb(kobj)->queue);
	cg = q ? READ_ONCE(q->cg) : NULL;
	switch (which) {
	case DIOWQ_CG_ATTR_LEAF:
		n = sysfs_emit(buf, "%s\n", cg ? diowq_cg_leaf(cg) : "");
		break;
	case DIOWQ_CG_ATTR_WEIGHT:
		n = sysfs_emit(buf, "%u\n", cg ? diowq_cg_weight(cg) : 0);
		break;
	default:
		n = sysfs_emit(buf, "%llu\n", cg ? diowq_cg_diverted(cg) : 0);
		break;
	}
	rcu_read_unlock();
	return n;
}

static ssize_t cgroup_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return diowq_cg_attr_show(kobj, buf, DIOWQ_CG_ATTR_LEAF);
}

static ssize_t cgroup_weight_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return diowq_cg_attr_show(kobj, buf, DIOWQ_CG_ATTR_WEIGHT);
}

static ssize_t diverted_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return diowq_cg_attr_show(kobj, buf, DIOWQ_CG_ATTR_DIVERTED);
}

static ssize_t tuned_ms_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	unsigned long since = READ_ONCE(to_dsb(kobj)->tuned_at);

	return sysfs_emit(buf, "%u\n", jiffies_to_msecs(jiffies - since));
}

static struct kobj_attribute diowq_sb_attr_mode = __ATTR_RO(mode);
static struct kobj_attribute diowq_sb_attr_fstype = __ATTR_RO(fstype);
static struct kobj_attribute diowq_sb_attr_source = __ATTR_RO(source);
static struct kobj_attribute diowq_sb_attr_dev = __ATTR_RO(dev);
static struct kobj_attribute diowq_sb_attr_workqueue = __ATTR_RO(workqueue);
static struct kobj_attribute diowq_sb_attr_origin = __ATTR_RO(origin);
static struct kobj_attribute diowq_sb_attr_swaps = __ATTR_RO(swaps);
static struct kobj_attribute diowq_sb_attr_cgroup = __ATTR_RO(cgroup);
static struct kobj_attribute diowq_sb_attr_cgroup_weight =
	__ATTR_RO(cgroup_weight);
static struct kobj_attribute diowq_sb_attr_diverted = __ATTR_RO(diverted);
static struct kobj_attribute diowq_sb_attr_tuned_ms = __ATTR_RO(tuned_ms);

/* Created in this order: tests take tuned_ms as "all files are there". */
static struct attribute *diowq_sb_attrs[] = {
	&diowq_sb_attr_mode.attr,
	&diowq_sb_attr_fstype.attr,
	&diowq_sb_attr_source.attr,
	&diowq_sb_attr_dev.attr,
	&diowq_sb_attr_workqueue.attr,
	&diowq_sb_attr_origin.attr,
	&diowq_sb_attr_swaps.attr,
	&diowq_sb_attr_cgroup.attr,
	&diowq_sb_attr_cgroup_weight.attr,
	&diowq_sb_attr_diverted.attr,
	&diowq_sb_attr_tuned_ms.attr,
	NULL,
};
ATTRIBUTE_GROUPS(diowq_sb);

/*
 * A directory's release function is module text, and kobject_put() need
 * not run it at once: with CONFIG_DEBUG_KOBJECT_RELEASE it runs from a
 * delayed work, seconds later. So every directory is counted until its
 * release has run, and unload waits for the count to reach zero
 * (diowq_sysfs_exit_end()). The wake-up uses the kernel's wait-variable
 * table rather than a wait queue of ours, so that nothing of ours is
 * touched after the count drops; the few instructions that return from
 * here are covered by an RCU-tasks grace period after the wait.
 */
static atomic_t diowq_sb_dirs = ATOMIC_INIT(0);

static void diowq_sb_dir_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct diowq_sb_dir, kobj));
	if (atomic_dec_and_test(&diowq_sb_dirs))
		wake_up_var(&diowq_sb_dirs);
}

static const struct kobj_type diowq_sb_ktype = {
	.release = diowq_sb_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = diowq_sb_groups,
};

int diowq_sysfs_add_sb(struct diowq_sb *dsb)
{
	struct diowq_sb_dir *dir;
	int err;

	lockdep_assert_held(&diowq_state_lock);
	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->dsb = dsb;
	atomic_inc(&diowq_sb_dirs);	/* dropped by the release, even on error */
	err = kobject_init_and_add(&dir->kobj, &diowq_sb_ktype, diowq_root,
				   "%s", dsb->sb->s_id);
	if (err) {
		kobject_put(&dir->kobj);
		return err;
	}
	dsb->dir = &dir->kobj;
	return 0;
}

/*
 * kobject_del() waits for running show handlers and refuses new ones, so
 * the entry is never read through this directory once it returns.
 */
void diowq_sysfs_del_sb(struct diowq_sb *dsb)
{
	lockdep_assert_held(&diowq_state_lock);
	kobject_del(dsb->dir);
	kobject_put(dsb->dir);
	dsb->dir = NULL;
}

int diowq_sysfs_init(void)
{
	int err;

	diowq_root = kobject_create_and_add(DIOWQ_NAME, fs_kobj);
	if (!diowq_root)
		return -ENOMEM;
	err = sysfs_create_group(diowq_root, &diowq_global_group);
	if (err)
		kobject_put(diowq_root);
	return err;
}

/* Stop taking requests; waits for the ones running. No lock held. */
void diowq_sysfs_exit_begin(void)
{
	sysfs_remove_group(diowq_root, &diowq_global_group);
}

/* After every superblock directory was deleted: wait for their releases. */
void diowq_sysfs_exit_end(void)
{
	wait_var_event(&diowq_sb_dirs, !atomic_read(&diowq_sb_dirs));
	/*
	 * A release that dropped the count may still be returning through
	 * our text; RCU-tasks waits until every task has scheduled
	 * voluntarily since, which it does only once it has left it.
	 */
	synchronize_rcu_tasks();
	kobject_put(diowq_root);
}
