/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel differences. diowq is built against Debian's
 * 6.1, 6.12 and 7.x kernels and is meant to build on v6.8; everything that
 * differs between them is decided here so the rest reads like mainline
 * code. Nothing here depends on a private kernel structure.
 */
#ifndef _DIOWQ_COMPAT_H
#define _DIOWQ_COMPAT_H

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/string.h>
#include <linux/workqueue.h>

/*
 * Workqueue names are truncated to WQ_NAME_LEN - 1 characters. The limit
 * is private to kernel/workqueue.c: 24 in v6.1, 32 in v6.12 (which also
 * warns when truncating). Compose names within the smaller limit so a
 * queue is called the same on every kernel and never truncated.
 */
#define DIOWQ_WQ_NAME_LEN 24

/*
 * Feature tests, not version tests: Debian backports features into its
 * stable kernels (its 6.12.118 headers have WQ_PERCPU and system_dfl_wq),
 * so kmod/Kbuild greps the headers being built against and defines
 * DIOWQ_HAVE_* for what they declare. The code below turns each into one
 * name the rest of the module uses on every kernel.
 */

/*
 * WQ_PERCPU (mainline v6.17): from 7.x on, alloc_workqueue() WARNs (a
 * panic under panic_on_warn) when given neither WQ_PERCPU nor WQ_UNBOUND,
 * as the default is to become unbound. Before WQ_PERCPU existed, a queue
 * without WQ_UNBOUND was per-CPU: 0 asks for the same queue there.
 */
#ifdef DIOWQ_HAVE_WQ_PERCPU
#define DIOWQ_WQ_PERCPU WQ_PERCPU
#else
#define DIOWQ_WQ_PERCPU 0
#endif

/*
 * system_dfl_wq (v6.17) is the unbound system workqueue's new name; 7.x
 * deprecates system_unbound_wq and complains once when work is queued on
 * it. Same queue, the name the headers prefer.
 */
#ifdef DIOWQ_HAVE_SYSTEM_DFL_WQ
#define diowq_system_unbound_wq system_dfl_wq
#else
#define diowq_system_unbound_wq system_unbound_wq
#endif

/*
 * diowq_sb_init_dio_done_wq(): make sure @sb has the kernel's own
 * s_dio_done_wq, as the first async direct I/O would create it.
 *
 * sb_init_dio_done_wq() is declared in include/linux/fs/super.h from 7.x
 * on: call it, so the queue is exactly the kernel's whatever its flags
 * become. v6.10 to 6.12 export it (GPL) but declare it only in
 * fs/internal.h, and it is private to fs/direct-io.c before: there,
 * replicate it (same name, flags and cmpxchg race handling).
 */
#ifdef DIOWQ_HAVE_SB_INIT_DIO_DONE_WQ
static inline int diowq_sb_init_dio_done_wq(struct super_block *sb)
{
	return sb_init_dio_done_wq(sb);
}
#else
static inline int diowq_sb_init_dio_done_wq(struct super_block *sb)
{
	struct workqueue_struct *wq;

	wq = alloc_workqueue("dio/%s", WQ_MEM_RECLAIM | DIOWQ_WQ_PERCPU, 0,
			     sb->s_id);
	if (!wq)
		return -ENOMEM;
	if (cmpxchg(&sb->s_dio_done_wq, NULL, wq))
		destroy_workqueue(wq);
	return 0;
}
#endif

/*
 * Mode cgroup (cgroup.c) redirects queue_work_on() with an ftrace ops that
 * modifies the instruction pointer, as livepatch does. The helper that
 * sets it is ftrace_instruction_pointer_set() up to v6.6 (6.1), then
 * ftrace_regs_set_instruction_pointer() (6.12, 7.x).
 */
#ifdef DIOWQ_HAVE_FTRACE_REGS_SET_IP
#define diowq_ftrace_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#else
#define diowq_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#endif

/*
 * disable_work() (v6.9): an idle work item carries a disable count in its
 * data, and queue_work_on() gives the PENDING bit back and queues nothing
 * while it is non-zero. Before, nothing can be disabled.
 */
static inline bool diowq_work_disabled(struct work_struct *work)
{
#ifdef DIOWQ_HAVE_WORK_DISABLE
	unsigned long data = atomic_long_read(&work->data);

	return !(data & WORK_STRUCT_PWQ) && (data & WORK_OFFQ_DISABLE_MASK);
#else
	return false;
#endif
}

/*
 * The leaf cgroup directory is made and removed through the VFS, as a
 * mkdir(2) and rmdir(2) by the requesting task would: the ID mapping of a
 * mount is a struct user_namespace up to v6.2 and a struct mnt_idmap from
 * v6.3; vfs_mkdir() returns the new dentry from v6.15; kern_path_create()
 * became start_creating_path() and both calls take a struct
 * delegated_inode in 7.x.
 */
#ifdef DIOWQ_HAVE_MNT_IDMAP
#define diowq_mnt_idmap(mnt) mnt_idmap(mnt)
#else
#define diowq_mnt_idmap(mnt) mnt_user_ns(mnt)
#endif

#ifdef DIOWQ_HAVE_DELEGATED_INODE
#define diowq_vfs_rmdir(idmap, dir, dentry) vfs_rmdir(idmap, dir, dentry, NULL)
#else
#define diowq_vfs_rmdir(idmap, dir, dentry) vfs_rmdir(idmap, dir, dentry)
#endif

/*
 * mkdir @name, relative to @dfd (an fd of the requesting task, or
 * AT_FDCWD) with mode 0755, and return the new directory in @leaf. The
 * caller validated and pinned the directory @name's parent must be,
 * @expect: resolving @dfd and @name again may find another one (the fd
 * was replaced with dup2(), a path component renamed meanwhile), which is
 * refused with -EAGAIN, so that what was checked is what is used.
 *
 * The new directory is looked up again below @expect, by its last
 * component: kernfs (cgroupfs) does not instantiate the dentry mkdir was
 * given, which stays negative. -ENOENT if it was removed meanwhile (then
 * it is not ours to remove any more).
 */
static inline int diowq_mkdir(int dfd, const char *name,
			      const struct path *expect, struct path *leaf)
{
	struct file *leaf_file;
	struct path parent;
	struct dentry *dentry;
	int err;

#ifdef DIOWQ_HAVE_START_CREATING_PATH
	dentry = start_creating_path(dfd, name, &parent, LOOKUP_DIRECTORY);
#else
	dentry = kern_path_create(dfd, name, &parent, LOOKUP_DIRECTORY);
#endif
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	if (!path_equal(&parent, expect)) {
		err = -EAGAIN;
		goto out;
	}
#if defined(DIOWQ_HAVE_VFS_MKDIR_DENTRY) && defined(DIOWQ_HAVE_DELEGATED_INODE)
	dentry = vfs_mkdir(diowq_mnt_idmap(parent.mnt), d_inode(parent.dentry),
			   dentry, 0755, NULL);
	err = PTR_ERR_OR_ZERO(dentry);
#elif defined(DIOWQ_HAVE_VFS_MKDIR_DENTRY)
	dentry = vfs_mkdir(diowq_mnt_idmap(parent.mnt), d_inode(parent.dentry),
			   dentry, 0755);
	err = PTR_ERR_OR_ZERO(dentry);
#else
	err = vfs_mkdir(diowq_mnt_idmap(parent.mnt), d_inode(parent.dentry),
			dentry, 0755);
#endif
out:
#ifdef DIOWQ_HAVE_START_CREATING_PATH
	end_creating_path(&parent, dentry);
#else
	done_path_create(&parent, dentry);
#endif
	if (err)
		return err;
	/* vfs_path_lookup() is not declared for modules on 6.1: an O_PATH open. */
	leaf_file = file_open_root(expect, kbasename(name),
				   O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
	if (IS_ERR(leaf_file))
		return PTR_ERR(leaf_file);
	*leaf = leaf_file->f_path;
	path_get(leaf);
	fput(leaf_file);
	return 0;
}

/* rmdir the directory @dir names, if it is still where it was. */
static inline int diowq_rmdir(const struct path *dir)
{
	struct dentry *parent = dget_parent(dir->dentry);
	struct dentry *child;
	int err;

	err = mnt_want_write(dir->mnt);
	if (err)
		goto out;
#ifdef DIOWQ_HAVE_START_CREATING_PATH
	child = start_removing_dentry(parent, dir->dentry);
	if (IS_ERR(child)) {
		err = PTR_ERR(child);
	} else {
		err = diowq_vfs_rmdir(diowq_mnt_idmap(dir->mnt),
				      d_inode(parent), child);
		end_removing(child);
	}
#else
	child = dir->dentry;
	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	if (child->d_parent != parent || d_unhashed(child) ||
	    d_is_negative(child))
		err = -ENOENT;
	else
		err = diowq_vfs_rmdir(diowq_mnt_idmap(dir->mnt),
				      d_inode(parent), child);
	inode_unlock(d_inode(parent));
#endif
	mnt_drop_write(dir->mnt);
out:
	dput(parent);
	return err;
}

#endif /* _DIOWQ_COMPAT_H */
