// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of superblocks diowq knows, and the tune/untune operations.
 *
 * Locking protocol
 * ----------------
 * diowq_ctl_lock serializes every request that changes what is tuned: sysfs
 * writes, the auto-tune rescan and module unload. It is held across queue
 * creation and path-independent bookkeeping, never across a grace period or
 * a drain (queue retirement is asynchronous, see swap.c).
 *
 * The unmount hook runs inside generic_shutdown_super(), under the exclusive
 * s_umount. It cannot take diowq_ctl_lock, because the rescan takes
 * diowq_ctl_lock and then s_umount (shared, in iterate_supers_type()). So
 * everything the hook touches is protected by a second, inner lock,
 * diowq_state_lock: the registry list and every field of its entries.
 *
 * Lock order:
 *   diowq_ctl_lock -> s_umount -> diowq_state_lock
 *     -> { our fsnotify group's mark_mutex, kernfs removal, retire lock }
 * Sysfs show handlers take no lock (fields are written with WRITE_ONCE), so
 * removing a per-superblock directory under diowq_state_lock cannot wait
 * for a handler that waits for us.
 *
 * Superblock lifetime
 * -------------------
 * We never hold a reference on a superblock. An entry's sb pointer is valid
 * while the entry is on the registry list: generic_shutdown_super() runs our
 * unmount hook, which takes the entry off the list, before it tears the
 * superblock down. Every operation that starts from a superblock pins it
 * for its duration: a sysfs request holds a path reference to the mount
 * (an active superblock reference), the rescan holds s_umount shared on a
 * born, live superblock. An operation that starts from a name (untune by
 * s_id) finds the entry under diowq_state_lock, which the hook needs too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/string.h>

#include "diowq.h"

/* Serializes requests that change what is tuned (see above). */
DEFINE_MUTEX(diowq_ctl_lock);
/* Protects diowq_registry and its entries; the unmount hook takes it. */
DEFINE_MUTEX(diowq_state_lock);

static LIST_HEAD(diowq_registry);

/*
 * Filesystems whose async dio writes complete through s_dio_done_wq via
 * iomap, and that diowq was tested on. Others (btrfs, f2fs, ...) use the
 * same path but are refused until they are tested.
 */
const char *const diowq_supported_fstypes[DIOWQ_NR_FSTYPES + 1] = {
	"xfs", "ext4", NULL
};

bool diowq_fstype_name_supported(const char *name)
{
	return match_string(diowq_supported_fstypes, -1, name) >= 0;
}

bool diowq_fstype_supported(const struct file_system_type *type)
{
	return diowq_fstype_name_supported(type->name);
}

static struct diowq_sb *diowq_lookup_sb(struct super_block *sb)
{
	struct diowq_sb *dsb;

	lockdep_assert_held(&diowq_state_lock);
	list_for_each_entry(dsb, &diowq_registry, node)
		if (dsb->sb == sb)
			return dsb;
	return NULL;
}

static struct diowq_sb *diowq_lookup_tuned_name(const char *s_id)
{
	struct diowq_sb *dsb;

	lockdep_assert_held(&diowq_state_lock);
	list_for_each_entry(dsb, &diowq_registry, node)
		if (dsb->queue && !strcmp(dsb->sb->s_id, s_id))
			return dsb;
	return NULL;
}

bool diowq_sb_known(struct super_block *sb)
{
	bool known;

	mutex_lock(&diowq_state_lock);
	known = diowq_lookup_sb(sb);
	mutex_unlock(&diowq_state_lock);
	return known;
}

/* Take a known superblock off the list and drop the registry's reference. */
static void diowq_forget(struct diowq_sb *dsb)
{
	lockdep_assert_held(&diowq_state_lock);
	list_del_init(&dsb->node);
	dsb->sb = NULL;
	diowq_sb_unwatch(dsb);
}

/* Find the entry for @sb, or create one watching it for unmount. */
static struct diowq_sb *diowq_get_entry(struct super_block *sb, bool *created)
{
	struct diowq_sb *dsb;
	int err;

	lockdep_assert_held(&diowq_state_lock);
	*created = false;
	dsb = diowq_lookup_sb(sb);
	if (dsb)
		return dsb;

	dsb = diowq_sb_alloc();
	if (!dsb)
		return ERR_PTR(-ENOMEM);
	err = diowq_sb_watch(dsb, sb);
	if (err) {
		diowq_sb_unwatch(dsb);
		return ERR_PTR(err);
	}
	dsb->sb = sb;
	if (sb->s_bdev)
		snprintf(dsb->source, sizeof(dsb->source), "/dev/%pg",
			 sb->s_bdev);
	else
		strscpy(dsb->source, sb->s_id, sizeof(dsb->source));
	list_add_tail(&dsb->node, &diowq_registry);
	*created = true;
	return dsb;
}

/* Another tuned superblock already owns /sys/fs/diowq/<s_id>? */
static bool diowq_dir_name_taken(struct diowq_sb *dsb)
{
	struct diowq_sb *other;

	other = diowq_lookup_tuned_name(dsb->sb->s_id);
	return other && other != dsb;
}

/*
 * Tune @sb in @mode, or switch its mode. The caller holds diowq_ctl_lock
 * and pins @sb. All that can fail happens before the swap, the point of no
 * return, and is undone on failure: nothing is ever half applied.
 */
int diowq_tune_sb(struct super_block *sb, enum diowq_mode mode,
		  enum diowq_origin origin)
{
	struct diowq_queue *q, *old;
	struct diowq_sb *dsb;
	bool created;
	int err;

	lockdep_assert_held(&diowq_ctl_lock);
	if (!diowq_fstype_supported(sb->s_type))
		return -EOPNOTSUPP;

	mutex_lock(&diowq_state_lock);
	dsb = diowq_lookup_sb(sb);
	if (dsb && dsb->queue && dsb->mode == mode) {
		mutex_unlock(&diowq_state_lock);
		return 0;
	}
	mutex_unlock(&diowq_state_lock);

	err = diowq_kernel_queue_ensure(sb);
	if (err)
		return err;
	q = diowq_queue_create(sb, mode);
	if (IS_ERR(q))
		return PTR_ERR(q);

	mutex_lock(&diowq_state_lock);
	dsb = diowq_get_entry(sb, &created);
	if (IS_ERR(dsb)) {
		err = PTR_ERR(dsb);
		goto out_unlock;
	}

	old = dsb->queue;
	if (!old) {
		if (diowq_dir_name_taken(dsb)) {
			err = -EEXIST;
			goto out_forget;
		}
		/* The field holds the kernel's queue whenever we are not in. */
		dsb->kernel_wq = READ_ONCE(sb->s_dio_done_wq);
		dsb->origin = origin;
		dsb->tuned_at = jiffies;
		dsb->mode = mode;
		dsb->queue = q;
		err = diowq_sysfs_add_sb(dsb);
		if (err) {
			dsb->queue = NULL;
			goto out_forget;
		}
	}

	err = diowq_queue_swap(sb, old ? old->wq : dsb->kernel_wq, q->wq);
	if (err) {
		if (!old) {
			diowq_sysfs_del_sb(dsb);
			dsb->queue = NULL;
		}
		goto out_forget;
	}
	/* The point of no return: completions may queue on q from now on. */
	WRITE_ONCE(dsb->queue, q);
	WRITE_ONCE(dsb->mode, mode);
	WRITE_ONCE(dsb->swaps, dsb->swaps + 1);
	mutex_unlock(&diowq_state_lock);

	if (old)
		diowq_queue_retire(old);
	pr_debug("%s: tuned, mode %s\n", sb->s_id, diowq_mode_name(mode));
	return 0;

out_forget:
	if (created)
		diowq_forget(dsb);
out_unlock:
	mutex_unlock(&diowq_state_lock);
	diowq_queue_destroy_unused(q);
	return err;
}

/*
 * Put the kernel's queue back. With @keep, the entry stays known so the
 * rescan leaves the superblock alone until it is unmounted.
 */
static void diowq_untune_locked(struct diowq_sb *dsb, bool keep)
{
	struct diowq_queue *q = dsb->queue;

	lockdep_assert_held(&diowq_state_lock);
	if (q) {
		/*
		 * Cannot fail: only we write a non-NULL field (see
		 * diowq_queue_swap()). Should it ever, keep our queue
		 * installed rather than free what the field points to.
		 */
		if (diowq_queue_swap(dsb->sb, q->wq, dsb->kernel_wq))
			return;
		diowq_sysfs_del_sb(dsb);
		WRITE_ONCE(dsb->queue, NULL);
		diowq_queue_retire(q);
	}
	if (!keep)
		diowq_forget(dsb);
}

/* The unmount hook: see unmount.c. Under the exclusive s_umount. */
void diowq_sb_unmounting(struct diowq_sb *dsb)
{
	mutex_lock(&diowq_state_lock);
	/* Untuned by a request that won the race for the lock? */
	if (!list_empty(&dsb->node)) {
		pr_debug("%s: unmounting, untuning\n", dsb->sb->s_id);
		diowq_untune_locked(dsb, false);
	}
	mutex_unlock(&diowq_state_lock);
}

void diowq_untune_all(void)
{
	struct diowq_sb *dsb, *tmp;

	lockdep_assert_held(&diowq_ctl_lock);
	mutex_lock(&diowq_state_lock);
	list_for_each_entry_safe(dsb, tmp, &diowq_registry, node)
		diowq_untune_locked(dsb, false);
	mutex_unlock(&diowq_state_lock);
}

/*
 * Resolve a user-supplied absolute path to the mount whose root it is.
 * A path inside a filesystem is refused: the request names a mount.
 */
static int diowq_mount_root_path(const char *name, struct path *path)
{
	int err = kern_path(name, LOOKUP_FOLLOW, path);

	if (err)
		return err;
	if (path->dentry != path->mnt->mnt_root) {
		path_put(path);
		return -EINVAL;
	}
	return 0;
}

/*
 * Requests by path resolve the path before taking diowq_ctl_lock: a lookup
 * can block (automounts, FUSE) and must not stall every other request. So
 * can waiting for a retire backlog to shrink (swap.c).
 */
int diowq_tune_path(const char *name, const enum diowq_mode *mode)
{
	struct path path;
	int err;

	err = diowq_mount_root_path(name, &path);
	if (err)
		return err;
	diowq_retire_throttle();
	mutex_lock(&diowq_ctl_lock);
	err = diowq_tune_sb(path.mnt->mnt_sb,
			    mode ? *mode : READ_ONCE(diowq_default_mode),
			    DIOWQ_ORIGIN_MANUAL);
	mutex_unlock(&diowq_ctl_lock);
	path_put(&path);
	return err;
}

static int diowq_untune_entry(struct diowq_sb *dsb)
{
	if (!dsb || !dsb->queue)
		return -ENOENT;
	diowq_untune_locked(dsb, true);
	return 0;
}

int diowq_untune_path(const char *name)
{
	struct path path;
	int err;

	err = diowq_mount_root_path(name, &path);
	if (err)
		return err;
	diowq_retire_throttle();
	mutex_lock(&diowq_ctl_lock);
	mutex_lock(&diowq_state_lock);
	err = diowq_untune_entry(diowq_lookup_sb(path.mnt->mnt_sb));
	mutex_unlock(&diowq_state_lock);
	mutex_unlock(&diowq_ctl_lock);
	path_put(&path);
	return err;
}

int diowq_untune_name(const char *s_id)
{
	int err;

	diowq_retire_throttle();
	mutex_lock(&diowq_ctl_lock);
	mutex_lock(&diowq_state_lock);
	err = diowq_untune_entry(diowq_lookup_tuned_name(s_id));
	mutex_unlock(&diowq_state_lock);
	mutex_unlock(&diowq_ctl_lock);
	return err;
}
