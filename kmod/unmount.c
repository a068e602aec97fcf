// SPDX-License-Identifier: GPL-2.0
/*
 * Unmount watching: put things back before the kernel destroys the queue.
 *
 * No superblock notifier exists. generic_shutdown_super() calls
 * fsnotify_sb_delete(), which sends FS_UNMOUNT to every inode mark of the
 * superblock, before it destroys s_dio_done_wq, in sleepable context under
 * the exclusive s_umount. A mark of our own fsnotify group on the root
 * inode of each superblock we know is therefore our unmount hook; it also
 * fires for a lazy unmount, once the last user is gone.
 *
 * The mark is embedded in struct diowq_sb and its reference count owns the
 * structure: the registry holds the reference from fsnotify_init_mark()
 * while the entry is listed, attaching takes a second one. The last put
 * frees the entry from fsnotify's reaper, after an SRCU grace period, so
 * an event handler that is still running on the mark never sees it freed.
 */
#include <linux/slab.h>

#include "diowq.h"

static struct fsnotify_group *diowq_group;

static int diowq_handle_inode_event(struct fsnotify_mark *mark, u32 mask,
				    struct inode *inode, struct inode *dir,
				    const struct qstr *name, u32 cookie)
{
	if (mask & FS_UNMOUNT)
		diowq_sb_unmounting(container_of(mark, struct diowq_sb, mark));
	return 0;
}

static void diowq_free_mark(struct fsnotify_mark *mark)
{
	kfree(container_of(mark, struct diowq_sb, mark));
}

static const struct fsnotify_ops diowq_fsnotify_ops = {
	.handle_inode_event = diowq_handle_inode_event,
	.free_mark = diowq_free_mark,
};

int diowq_unmount_watch_init(void)
{
	diowq_group = fsnotify_alloc_group(&diowq_fsnotify_ops, 0);
	return PTR_ERR_OR_ZERO(diowq_group);
}

/*
 * Called after every entry was unwatched. fsnotify_destroy_group() is not
 * exported, but our group never queues events: once the reaper has freed
 * every mark (which waits for SRCU readers, so no handler of ours runs any
 * more) the last reference can simply be dropped.
 */
void diowq_unmount_watch_exit(void)
{
	fsnotify_wait_marks_destroyed();
	fsnotify_put_group(diowq_group);
}

/* A new entry; the caller's reference is the registry's. */
struct diowq_sb *diowq_sb_alloc(void)
{
	struct diowq_sb *dsb = kzalloc(sizeof(*dsb), GFP_KERNEL);

	if (!dsb)
		return NULL;
	INIT_LIST_HEAD(&dsb->node);
	fsnotify_init_mark(&dsb->mark, diowq_group);
	dsb->mark.mask = FS_UNMOUNT;
	return dsb;
}

/*
 * Attach the entry's mark to the root inode of @sb. The mark pins the root
 * inode (not the superblock). On failure the caller drops its reference
 * with diowq_sb_unwatch(), which frees the entry.
 */
int diowq_sb_watch(struct diowq_sb *dsb, struct super_block *sb)
{
	return fsnotify_add_inode_mark(&dsb->mark, d_inode(sb->s_root), 0);
}

/*
 * Detach (if attached) and drop the registry's reference. The entry may be
 * freed at any time after this returns.
 */
void diowq_sb_unwatch(struct diowq_sb *dsb)
{
	fsnotify_destroy_mark(&dsb->mark, diowq_group);
	fsnotify_put_mark(&dsb->mark);
}
