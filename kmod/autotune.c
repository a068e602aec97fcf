// SPDX-License-Identifier: GPL-2.0
/*
 * auto_fstypes: keep every superblock of the listed types tuned.
 *
 * No notifier announces new mounts, so a rescan walks the superblocks of
 * each listed type every DIOWQ_AUTO_RESCAN_MS and tunes those it does not
 * know yet, in the default mode. It skips superblocks a user untuned: they
 * stay known (excluded) until they are unmounted. A rescan costs a shared
 * s_umount per superblock of the listed types; it runs only while the list
 * is not empty.
 *
 * The list holds references on the filesystem types (get_fs_type() may load
 * their modules once, when the list is set; the rescan itself never does).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/diowq.h>

#include "diowq.h"

/* Under diowq_ctl_lock. */
static struct diowq_auto_list diowq_auto;
static bool diowq_auto_stopped;

/*
 * The list as readers see it ("xfs,ext4"), under a spinlock of its own:
 * diowq_ctl_lock is held across a rescan, which can wait a long time for
 * s_umount (a mount doing log recovery, a frozen or slow filesystem), and
 * a read must not wait for that.
 */
static char diowq_auto_names[DIOWQ_AUTO_FSTYPES_MAXLEN];
static DEFINE_SPINLOCK(diowq_auto_names_lock);

static void diowq_auto_names_update(void)
{
	char names[DIOWQ_AUTO_FSTYPES_MAXLEN];
	unsigned int i;
	int len = 0;

	lockdep_assert_held(&diowq_ctl_lock);
	names[0] = '\0';
	for (i = 0; i < diowq_auto.nr; i++)
		len += scnprintf(names + len, sizeof(names) - len, "%s%s",
				 i ? "," : "", diowq_auto.types[i]->name);
	spin_lock(&diowq_auto_names_lock);
	strscpy(diowq_auto_names, names, sizeof(diowq_auto_names));
	spin_unlock(&diowq_auto_names_lock);
}

static void diowq_rescan_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(diowq_rescan_work, diowq_rescan_workfn);

void diowq_auto_list_release(struct diowq_auto_list *list)
{
	while (list->nr)
		module_put(list->types[--list->nr]->owner);
}

static bool diowq_fstype_token_valid(const char *tok)
{
	if (!*tok)
		return false;
	for (; *tok; tok++)
		if (!isalnum(*tok) && *tok != '_')
			return false;
	return true;
}

/*
 * Parse "xfs,ext4" into @list and take the type references. A malformed
 * token is -EINVAL; a well-formed name diowq does not support (or that
 * this kernel does not have) is -EOPNOTSUPP. Duplicates are folded.
 */
static int diowq_auto_list_parse(char *str, struct diowq_auto_list *list)
{
	const char *names[DIOWQ_NR_FSTYPES];
	struct file_system_type *type;
	bool unsupported = false;
	unsigned int nr = 0, i;
	char *tok;

	list->nr = 0;
	if (!*str)
		return 0;
	while ((tok = strsep(&str, ",")) != NULL) {
		if (!diowq_fstype_token_valid(tok))
			return -EINVAL;
		if (!diowq_fstype_name_supported(tok)) {
			unsupported = true;
			continue;
		}
		for (i = 0; i < nr; i++)
			if (!strcmp(names[i], tok))
				break;
		if (i == nr)
			names[nr++] = tok;
	}
	if (unsupported)
		return -EOPNOTSUPP;

	for (i = 0; i < nr; i++) {
		type = get_fs_type(names[i]);
		if (!type) {
			diowq_auto_list_release(list);
			return -EOPNOTSUPP;
		}
		list->types[list->nr++] = type;
	}
	return 0;
}

static void diowq_auto_tune_one(struct super_block *sb, void *unused)
{
	int err;

	if (diowq_sb_known(sb))
		return;
	err = diowq_tune_sb(sb, READ_ONCE(diowq_default_mode), NULL,
			    DIOWQ_ORIGIN_AUTO, NULL);
	if (err)
		pr_warn_ratelimited("%s: auto-tune failed: %d\n", sb->s_id, err);
}

static void diowq_rescan_locked(void)
{
	unsigned int i;

	lockdep_assert_held(&diowq_ctl_lock);
	if (diowq_auto_stopped)
		return;
	for (i = 0; i < diowq_auto.nr; i++)
		iterate_supers_type(diowq_auto.types[i], diowq_auto_tune_one,
				    NULL);
	if (diowq_auto.nr)
		schedule_delayed_work(&diowq_rescan_work,
				      msecs_to_jiffies(DIOWQ_AUTO_RESCAN_MS));
}

static void diowq_rescan_workfn(struct work_struct *work)
{
	mutex_lock(&diowq_ctl_lock);
	diowq_rescan_locked();
	mutex_unlock(&diowq_ctl_lock);
}

/* Parse @str into @list (references taken); nothing is applied yet. */
int diowq_auto_parse(const char *str, struct diowq_auto_list *list)
{
	char *copy = kstrdup(str, GFP_KERNEL);
	int err;

	if (!copy)
		return -ENOMEM;
	err = diowq_auto_list_parse(copy, list);
	kfree(copy);
	return err;
}

/*
 * Install a parsed list, taking over its references, without a rescan.
 * The caller holds diowq_ctl_lock. Refused during module unload.
 */
int diowq_auto_install(struct diowq_auto_list *list)
{
	lockdep_assert_held(&diowq_ctl_lock);
	if (diowq_auto_stopped) {
		diowq_auto_list_release(list);
		return -ENODEV;
	}
	diowq_auto_list_release(&diowq_auto);
	diowq_auto = *list;
	list->nr = 0;
	diowq_auto_names_update();
	return 0;
}

/* Install a parsed list and rescan at once; the caller holds diowq_ctl_lock. */
int diowq_auto_commit(struct diowq_auto_list *list)
{
	int err = diowq_auto_install(list);

	if (!err)
		diowq_rescan_locked();
	return err;
}

/* Module load, once requests are taken: tune what the list names. */
void diowq_auto_start(void)
{
	mutex_lock(&diowq_ctl_lock);
	diowq_rescan_locked();
	mutex_unlock(&diowq_ctl_lock);
}

/* Replace the list; on error nothing changes. */
int diowq_auto_set(const char *str)
{
	struct diowq_auto_list list;
	int err = diowq_auto_parse(str, &list);

	if (err)
		return err;
	mutex_lock(&diowq_ctl_lock);
	err = diowq_auto_commit(&list);
	mutex_unlock(&diowq_ctl_lock);
	return err;
}

/* "xfs,ext4" (no newline) into @buf; takes no lock a rescan holds. */
ssize_t diowq_auto_format(char *buf, size_t size)
{
	ssize_t len;

	spin_lock(&diowq_auto_names_lock);
	len = strscpy(buf, diowq_auto_names, size);
	spin_unlock(&diowq_auto_names_lock);
	return len < 0 ? size - 1 : len;
}

/* Module exit, after sysfs stopped taking requests. */
void diowq_auto_stop(void)
{
	mutex_lock(&diowq_ctl_lock);
	diowq_auto_stopped = true;
	mutex_unlock(&diowq_ctl_lock);
	cancel_delayed_work_sync(&diowq_rescan_work);

	mutex_lock(&diowq_ctl_lock);
	diowq_auto_list_release(&diowq_auto);
	diowq_auto_names_update();
	mutex_unlock(&diowq_ctl_lock);
}
