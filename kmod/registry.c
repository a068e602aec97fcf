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
 *     -> { our fsnotify group's mark_mutex, kernfs removal, queues lock }
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
#include <linux/string.h>
#include <net/netlink.h>

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

/*
 * How a request names a tuned superblock: by the superblock of a mount it
 * pins, by its s_id (the name of its sysfs directory), or by its device.
 */
struct diowq_key {
	struct super_block *sb;
	const char *s_id;
	dev_t dev;
};

static bool diowq_key_matches(const struct diowq_key *key,
			      const struct diowq_sb *dsb)
{
	if (key->sb)
		return dsb->sb == key->sb;
	if (key->s_id)
		return !strcmp(dsb->sb->s_id, key->s_id);
	return dsb->sb->s_dev == key->dev;
}

static struct diowq_sb *diowq_lookup_tuned(const struct diowq_key *key)
{
	struct diowq_sb *dsb;

	lockdep_assert_held(&diowq_state_lock);
	list_for_each_entry(dsb, &diowq_registry, node)
		if (dsb->queue && diowq_key_matches(key, dsb))
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
	const struct diowq_key key = { .s_id = dsb->sb->s_id };
	struct diowq_sb *other = diowq_lookup_tuned(&key);

	return other && other != dsb;
}

/*
 * Tune @sb in @mode, or switch its mode. The caller holds diowq_ctl_lock
 * and pins @sb. All that can fail happens before the swap, the point of no
 * return, and is undone on failure: nothing is ever half applied. Mode
 * cgroup needs @cgreq, the directory below which its thread's leaf
 * cgroup is made (cgroup.c); switching it to another directory is a
 * switch like any other, tuning it below the same directory again only
 * sets the leaf's weight.
 */
int diowq_tune_sb(struct super_block *sb, enum diowq_mode mode,
		  const struct diowq_cg_req *cgreq, enum diowq_origin origin,
		  struct netlink_ext_ack *extack)
{
	struct diowq_queue *q, *old;
	struct diowq_sb *dsb;
	bool created;
	int err;

	lockdep_assert_held(&diowq_ctl_lock);
	if (!diowq_fstype_supported(sb->s_type)) {
		NL_SET_ERR_MSG(extack, "filesystem type not supported (xfs and ext4 are)");
		return -EOPNOTSUPP;
	}

	if (mode == DIOWQ_MODE_CGROUP && !cgreq) {
		NL_SET_ERR_MSG(extack, "mode cgroup needs a cgroup directory");
		return -EINVAL;
	}

	mutex_lock(&diowq_state_lock);
	dsb = diowq_lookup_sb(sb);
	if (dsb && dsb->queue && dsb->mode == mode &&
	    (mode != DIOWQ_MODE_CGROUP ||
	     diowq_cg_same_dir(dsb->queue->cg, &cgreq->dir))) {
		struct diowq_cg *cg = dsb->queue->cg;

		mutex_unlock(&diowq_state_lock);
		/*
		 * Our diowq_ctl_lock and the caller's pin on @sb keep @cg
		 * from being retired (only requests and the unmount do);
		 * the write into cgroupfs is made with no lock of the
		 * registry held.
		 */
		return cg ? diowq_cg_set_weight(cg, cgreq->weight, extack) : 0;
	}
	mutex_unlock(&diowq_state_lock);

	err = diowq_kernel_queue_ensure(sb);
	if (err)
		return err;
	q = diowq_queue_create(sb, mode);
	if (IS_ERR(q))
		return PTR_ERR(q);
	if (mode == DIOWQ_MODE_CGROUP) {
		struct diowq_cg *cg = diowq_cg_create(sb, q->wq, cgreq, extack);

		if (IS_ERR(cg)) {
			diowq_queue_destroy_unused(q);
			return PTR_ERR(cg);
		}
		q->cg = cg;
	}

	mutex_lock(&diowq_state_lock);
	dsb = diowq_get_entry(sb, &created);
	if (IS_ERR(dsb)) {
		err = PTR_ERR(dsb);
		goto out_unlock;
	}

	old = dsb->queue;
	if (!old) {
		if (diowq_dir_name_taken(dsb)) {
			NL_SET_ERR_MSG(extack, "a tuned filesystem has the same name");
			err = -EEXIST;
			goto out_forget;
		}
		/* The field holds the kernel's queue whenever we are not in. */
		dsb->kernel_wq = READ_ONCE(sb->s_dio_done_wq);
		dsb->origin = origin;
		dsb->tuned_at = jiffies;
		dsb->swaps = 0;
		dsb->mode = mode;
		dsb->queue = q;
		err = diowq_sysfs_add_sb(dsb);
		if (err) {
			dsb->queue = NULL;
			goto out_forget;
		}
	}

	/* Divert from the first completion queued on the sentinel on. */
	if (q->cg)
		diowq_cg_publish(q->cg);
	err = diowq_queue_swap(sb, old ? old->wq : dsb->kernel_wq, q->wq);
	if (err) {
		NL_SET_ERR_MSG(extack, "s_dio_done_wq is being changed by someone else");
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
	diowq_nl_notify(old ? DIOWQ_EVENT_MODE_CHANGED :
			origin == DIOWQ_ORIGIN_AUTO ? DIOWQ_EVENT_AUTO_TUNED :
			DIOWQ_EVENT_TUNED, dsb);
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
 *
 * The swap back cannot fail unless something else rewrote the field (see
 * diowq_queue_swap()). An untune request then changes nothing and says
 * so. Unmount and module unload (!@keep) must let go of the superblock all
 * the same: the fsnotify mark goes away with the superblock or the module,
 * and an entry left on the list would outlive it. They drop the directory
 * and the entry, and leave our queue to whoever holds the field now.
 */
static int diowq_untune_locked(struct diowq_sb *dsb, bool keep,
			       enum diowq_event event)
{
	struct diowq_queue *q = dsb->queue;
	int err = 0;

	lockdep_assert_held(&diowq_state_lock);
	if (q) {
		err = diowq_queue_swap(dsb->sb, q->wq, dsb->kernel_wq);
		if (err && keep)
			return err;
		diowq_nl_notify(event, dsb);
		diowq_sysfs_del_sb(dsb);
		WRITE_ONCE(dsb->queue, NULL);
		if (err)
			diowq_queue_abandon(q);
		else
			diowq_queue_retire(q);
	}
	if (!keep)
		diowq_forget(dsb);
	return err;
}

/* The unmount hook: see unmount.c. Under the exclusive s_umount. */
void diowq_sb_unmounting(struct diowq_sb *dsb)
{
	mutex_lock(&diowq_state_lock);
	/* Forgotten by module unload while we waited for the lock? */
	if (!list_empty(&dsb->node)) {
		pr_debug("%s: unmounting, untuning\n", dsb->sb->s_id);
		diowq_untune_locked(dsb, false, DIOWQ_EVENT_UNMOUNTED);
	}
	mutex_unlock(&diowq_state_lock);
}

/*
 * Mode cgroup's pod emptied (the pod watch, cgroup.c): fall back to the
 * sentinel, which is a highpri queue already installed, so nothing is
 * swapped and no completion can go astray; retire the thread and its
 * leaf, so that the pod's cgroup can be removed; say so in an event.
 * Returns false, to be called again later, when a request holds
 * diowq_ctl_lock (requests use a diowq_cg with it held, see
 * diowq_cg_set_weight()); true when done, or when @cg is no longer the
 * filesystem's (retired meanwhile: its destruction stops the watch).
 * @sb is only compared: it may be gone.
 */
bool diowq_cg_fall_back(struct super_block *sb, struct diowq_cg *cg)
{
	struct diowq_sb *dsb;

	if (!mutex_trylock(&diowq_ctl_lock))
		return false;
	mutex_lock(&diowq_state_lock);
	dsb = diowq_lookup_sb(sb);
	if (dsb && dsb->queue && dsb->queue->cg == cg) {
		pr_info("%s: the cgroup of %s has no task left: falling back to mode %s\n",
			dsb->sb->s_id, diowq_cg_leaf(cg),
			diowq_mode_name(DIOWQ_MODE_HIGHPRI));
		dsb->queue->mode = DIOWQ_MODE_HIGHPRI;
		/* Readers of ->cg under RCU: freed after a grace period. */
		WRITE_ONCE(dsb->queue->cg, NULL);
		WRITE_ONCE(dsb->mode, DIOWQ_MODE_HIGHPRI);
		diowq_nl_notify(DIOWQ_EVENT_CGROUP_FALLBACK, dsb);
		diowq_cg_retire(cg);
	}
	mutex_unlock(&diowq_state_lock);
	mutex_unlock(&diowq_ctl_lock);
	return true;
}

/*
 * Requests
 * --------
 * sysfs and netlink are two views of one state: both go through these.
 * Each waits for a retire backlog to shrink before it takes any lock (see
 * swap.c), and is refused once module unload has begun. None waits for
 * what it retired to be destroyed: sysfs does that on its own
 * (diowq_cg_wait_retired()), netlink must not (design.md, "Locking").
 */
static bool diowq_stopping;

static int diowq_request_begin(struct netlink_ext_ack *extack)
{
	diowq_retire_throttle();
	mutex_lock(&diowq_ctl_lock);
	if (diowq_stopping) {
		mutex_unlock(&diowq_ctl_lock);
		NL_SET_ERR_MSG(extack, "diowq is being unloaded");
		return -ENODEV;
	}
	return 0;
}

static void diowq_request_end(void)
{
	mutex_unlock(&diowq_ctl_lock);
}

/* Module unload: refuse requests from now on, untune everything. */
void diowq_requests_stop(void)
{
	struct diowq_sb *dsb, *tmp;

	mutex_lock(&diowq_ctl_lock);
	diowq_stopping = true;
	mutex_lock(&diowq_state_lock);
	list_for_each_entry_safe(dsb, tmp, &diowq_registry, node)
		diowq_untune_locked(dsb, false, DIOWQ_EVENT_UNTUNED);
	mutex_unlock(&diowq_state_lock);
	mutex_unlock(&diowq_ctl_lock);
}

/* A request names a mount by its root; a path inside is refused. */
int diowq_check_mount_root(const struct path *path,
			   struct netlink_ext_ack *extack)
{
	if (path->dentry == path->mnt->mnt_root)
		return 0;
	NL_SET_ERR_MSG(extack, "not the root of a mount");
	return -EINVAL;
}

/* @cgreq: mode cgroup's directory, with *@mode cgroup only. */
int diowq_tune_mount(const struct path *path, const enum diowq_mode *mode,
		     const struct diowq_cg_req *cgreq,
		     struct netlink_ext_ack *extack)
{
	int err = diowq_check_mount_root(path, extack);

	if (err)
		return err;
	err = diowq_request_begin(extack);
	if (err)
		return err;
	err = diowq_tune_sb(path->mnt->mnt_sb,
			    mode ? *mode : READ_ONCE(diowq_default_mode),
			    cgreq, DIOWQ_ORIGIN_MANUAL, extack);
	diowq_request_end();
	return err;
}

/* Untuned by a request: the entry stays known, excluded from auto-tune. */
static int diowq_untune_key(const struct diowq_key *key,
			    struct netlink_ext_ack *extack)
{
	struct diowq_sb *dsb;
	int err = diowq_request_begin(extack);

	if (err)
		return err;
	mutex_lock(&diowq_state_lock);
	dsb = diowq_lookup_tuned(key);
	if (dsb) {
		err = diowq_untune_locked(dsb, true, DIOWQ_EVENT_UNTUNED);
		if (err)
			NL_SET_ERR_MSG(extack, "s_dio_done_wq was changed by someone else");
	} else {
		NL_SET_ERR_MSG(extack, "not tuned");
		err = -ENOENT;
	}
	mutex_unlock(&diowq_state_lock);
	diowq_request_end();
	return err;
}

int diowq_untune_mount(const struct path *path, struct netlink_ext_ack *extack)
{
	const struct diowq_key key = { .sb = path->mnt->mnt_sb };
	int err = diowq_check_mount_root(path, extack);

	return err ?: diowq_untune_key(&key, extack);
}

int diowq_untune_name(const char *s_id)
{
	const struct diowq_key key = { .s_id = s_id };

	return diowq_untune_key(&key, NULL);
}

/*
 * Untune every tuned superblock; they stay excluded from auto-tuning. One
 * that cannot be untuned (see diowq_untune_locked()) does not stop the
 * others; the request then fails with its error.
 */
int diowq_untune_every(struct netlink_ext_ack *extack)
{
	struct diowq_sb *dsb;
	int err = diowq_request_begin(extack);

	if (err)
		return err;
	mutex_lock(&diowq_state_lock);
	list_for_each_entry(dsb, &diowq_registry, node) {
		int untuned;

		if (!dsb->queue)
			continue;
		untuned = diowq_untune_locked(dsb, true, DIOWQ_EVENT_UNTUNED);
		if (untuned)
			err = untuned;
	}
	mutex_unlock(&diowq_state_lock);
	diowq_request_end();
	if (err)
		NL_SET_ERR_MSG(extack, "s_dio_done_wq was changed by someone else");
	return err;
}

/*
 * Requests by device number. A superblock that is not tuned yet is found
 * by walking the supported types' superblocks: iterate_supers_type() pins
 * each with a shared s_umount while @fn looks at it.
 */
struct diowq_dev_search {
	dev_t dev;
	void (*fn)(struct super_block *sb, void *arg);
	void *arg;
	bool found;
};

static void diowq_dev_search_one(struct super_block *sb, void *arg)
{
	struct diowq_dev_search *search = arg;

	if (search->found || sb->s_dev != search->dev)
		return;
	search->found = true;
	if (search->fn)
		search->fn(sb, search->arg);
}

/* Call @fn, if any, on the xfs or ext4 of @dev; false if none is mounted. */
bool diowq_with_dev_sb(dev_t dev, void (*fn)(struct super_block *sb, void *arg),
		       void *arg)
{
	struct diowq_dev_search search = { .dev = dev, .fn = fn, .arg = arg };
	struct file_system_type *type;
	const char *const *name;

	for (name = diowq_supported_fstypes; *name && !search.found; name++) {
		type = get_fs_type(*name);
		if (!type)
			continue;
		iterate_supers_type(type, diowq_dev_search_one, &search);
		module_put(type->owner);
	}
	return search.found;
}

struct diowq_dev_request {
	enum diowq_mode mode;
	const struct diowq_cg_req *cgreq;
	struct netlink_ext_ack *extack;
	int err;
};

static void diowq_tune_dev_one(struct super_block *sb, void *arg)
{
	struct diowq_dev_request *req = arg;

	req->err = diowq_tune_sb(sb, req->mode, req->cgreq, DIOWQ_ORIGIN_MANUAL,
				 req->extack);
}

int diowq_tune_dev(dev_t dev, const enum diowq_mode *mode,
		   const struct diowq_cg_req *cgreq,
		   struct netlink_ext_ack *extack)
{
	struct diowq_dev_request req = { .cgreq = cgreq, .extack = extack };
	bool found;
	int err;

	err = diowq_request_begin(extack);
	if (err)
		return err;
	req.mode = mode ? *mode : READ_ONCE(diowq_default_mode);
	found = diowq_with_dev_sb(dev, diowq_tune_dev_one, &req);
	diowq_request_end();
	if (!found) {
		NL_SET_ERR_MSG(extack, "no xfs or ext4 filesystem on that device");
		return -ENOENT;
	}
	return req.err;
}

int diowq_untune_dev(dev_t dev, struct netlink_ext_ack *extack)
{
	const struct diowq_key key = { .dev = dev };

	return diowq_untune_key(&key, extack);
}

/*
 * Reading: call ->read() under diowq_state_lock on tuned superblocks, so it can
 * read every field of the entry and its superblock consistently.
 */
int diowq_visit_tuned(const struct diowq_sb_reader *reader, long *pos)
{
	long i = 0;
	struct diowq_sb *dsb;
	int ret = 0;

	mutex_lock(&diowq_state_lock);
	list_for_each_entry(dsb, &diowq_registry, node) {
		if (!dsb->queue)
			continue;
		if (i++ < *pos)
			continue;
		ret = reader->read(dsb, reader->arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&diowq_state_lock);
	return ret;
}

static int diowq_read_key(const struct diowq_key *key,
			  const struct diowq_sb_reader *reader,
			  struct netlink_ext_ack *extack)
{
	struct diowq_sb *dsb;
	int err;

	mutex_lock(&diowq_state_lock);
	dsb = diowq_lookup_tuned(key);
	if (dsb) {
		err = reader->read(dsb, reader->arg);
	} else {
		NL_SET_ERR_MSG(extack, "not tuned");
		err = -ENOENT;
	}
	mutex_unlock(&diowq_state_lock);
	return err;
}

int diowq_with_tuned_mount(const struct path *path,
			   const struct diowq_sb_reader *reader,
			   struct netlink_ext_ack *extack)
{
	const struct diowq_key key = { .sb = path->mnt->mnt_sb };
	int err = diowq_check_mount_root(path, extack);

	return err ?: diowq_read_key(&key, reader, extack);
}

int diowq_with_tuned_dev(dev_t dev, const struct diowq_sb_reader *reader,
			 struct netlink_ext_ack *extack)
{
	const struct diowq_key key = { .dev = dev };

	return diowq_read_key(&key, reader, extack);
}
