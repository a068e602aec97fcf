// SPDX-License-Identifier: GPL-2.0
/*
 * The "diowq" generic netlink family: status, control and events.
 *
 * The same requests as sysfs, through the same registry functions, so the
 * two are views of one state. A mount is named by an open file descriptor
 * of its root (no path is resolved twice, so no path race) or by the
 * device number of the filesystem. Attributes are validated strictly by
 * the operation's policy before a handler runs; every refusal carries an
 * extended ack message, and a refused request changes nothing.
 *
 * No handler waits for what it retired to be destroyed (grace periods, a
 * cgroup thread's last completion, its leaf's removal): a generic netlink
 * handler runs with the core's cb_lock held for reading, and a wait there
 * can stall every generic netlink request on the host (design.md,
 * "Locking"). A caller that needs a leaf cgroup gone polls for it.
 *
 * The family has parallel_ops: without it every handler would run under
 * the global genl_mutex, which also serializes family lookups of every
 * generic netlink user on the host (nlctrl: wireguard, nl80211, devlink,
 * ethtool, ...), and ours can wait a long time: a request for a lock the
 * auto-tune rescan holds while it waits for a superblock's s_umount, the
 * retire throttle waiting for a drain on a frozen filesystem. Our own
 * locks serialize what must be (registry.c); read requests take none that
 * is held across such a wait.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/kdev_t.h>
#include <linux/jiffies.h>
#include <net/genetlink.h>

#include "diowq.h"

/* Not const: v6.1's NLA_POLICY_FULL_RANGE() takes a mutable pointer. */
static struct netlink_range_validation diowq_minor_range = {
	.max = MINORMASK,
};

/*
 * One policy per operation: an attribute an operation does not take is
 * refused ("Unsupported attribute", EINVAL), not silently ignored, and so
 * is every reply-only or retired attribute (strict validation refuses
 * NLA_UNSPEC entries). The policies are complete arrays of DIOWQ_A_MAX + 1
 * so that a later attribute is refused by type, not as unknown.
 */
#define DIOWQ_NLA_MOUNT							\
	[DIOWQ_A_FD] = NLA_POLICY_MIN(NLA_S32, 0),			\
	[DIOWQ_A_DEV_MAJOR] = NLA_POLICY_MAX(NLA_U32, (1 << 12) - 1),	\
	[DIOWQ_A_DEV_MINOR] = NLA_POLICY_FULL_RANGE(NLA_U32,		\
						    &diowq_minor_range)

/* GET_CONFIG and the retired commands take no attribute at all. */
static const struct nla_policy diowq_none_policy[DIOWQ_A_MAX + 1] = {
};

static const struct nla_policy diowq_set_config_policy[DIOWQ_A_MAX + 1] = {
	/* Not cgroup: a default applies to mounts no request names a cgroup for. */
	[DIOWQ_A_DEFAULT_MODE] = NLA_POLICY_MAX(NLA_U32, DIOWQ_MODE_UNBOUND),
	[DIOWQ_A_AUTO_FSTYPES] = { .type = NLA_NUL_STRING,
				   .len = DIOWQ_AUTO_FSTYPES_MAXLEN },
};

/* GET_SB: a mount to read, or none for the dump. */
static const struct nla_policy diowq_get_sb_policy[DIOWQ_A_MAX + 1] = {
	DIOWQ_NLA_MOUNT,
};

static const struct nla_policy diowq_tune_policy[DIOWQ_A_MAX + 1] = {
	DIOWQ_NLA_MOUNT,
	[DIOWQ_A_MODE] = NLA_POLICY_MAX(NLA_U32, DIOWQ_MODE_CGROUP),
	[DIOWQ_A_CGROUP_FD] = NLA_POLICY_MIN(NLA_S32, 0),
	[DIOWQ_A_CGROUP_WEIGHT] = NLA_POLICY_RANGE(NLA_U32,
						   DIOWQ_CG_WEIGHT_MIN,
						   DIOWQ_CG_WEIGHT_MAX),
};

static const struct nla_policy diowq_untune_policy[DIOWQ_A_MAX + 1] = {
	DIOWQ_NLA_MOUNT,
	[DIOWQ_A_ALL] = { .type = NLA_FLAG },
};

enum diowq_mcgrp {
	DIOWQ_MCGRP_EVENTS_IDX,
};

static const struct genl_multicast_group diowq_mcgrps[] = {
	[DIOWQ_MCGRP_EVENTS_IDX] = { .name = DIOWQ_GENL_MCGRP_EVENTS },
};

static struct genl_family diowq_family;
/*
 * Set once the family is registered: a registration that failed may have
 * left a multicast group id that is not ours, and a failed load still
 * untunes (and would notify) on its way out.
 */
static bool diowq_nl_registered;

/*
 * Mode cgroup's attributes. Under diowq_state_lock (as every reader): the
 * queue and its thread are retired only under it.
 */
static int diowq_nl_put_cg(struct sk_buff *skb, const struct diowq_cg *cg)
{
	if (nla_put_string(skb, DIOWQ_A_CGROUP, diowq_cg_leaf(cg)) ||
	    nla_put_u32(skb, DIOWQ_A_CGROUP_WEIGHT, diowq_cg_weight(cg)) ||
	    nla_put_u64_64bit(skb, DIOWQ_A_DIVERTED, diowq_cg_diverted(cg),
			      DIOWQ_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* A superblock's message: mode cgroup's leaf path can be up to PATH_MAX. */
#define DIOWQ_NL_SB_SIZE (NLMSG_DEFAULT_SIZE + PATH_MAX)

/* Superblock attributes, shared by GET_SB replies, dumps and events. */
static int diowq_nl_put_sb(struct sk_buff *skb, const struct diowq_sb *dsb)
{
	const struct super_block *sb = dsb->sb;
	u64 tuned_ms = jiffies_to_msecs(jiffies - dsb->tuned_at);

	if (nla_put_string(skb, DIOWQ_A_SB_ID, sb->s_id) ||
	    nla_put_string(skb, DIOWQ_A_FSTYPE, sb->s_type->name) ||
	    nla_put_string(skb, DIOWQ_A_SOURCE, dsb->source) ||
	    nla_put_u32(skb, DIOWQ_A_DEV_MAJOR, MAJOR(sb->s_dev)) ||
	    nla_put_u32(skb, DIOWQ_A_DEV_MINOR, MINOR(sb->s_dev)) ||
	    nla_put_u32(skb, DIOWQ_A_MODE, dsb->mode) ||
	    nla_put_string(skb, DIOWQ_A_WORKQUEUE, dsb->queue->name) ||
	    nla_put_u32(skb, DIOWQ_A_ORIGIN, dsb->origin) ||
	    nla_put_u64_64bit(skb, DIOWQ_A_SWAPS, dsb->swaps, DIOWQ_A_PAD) ||
	    nla_put_u64_64bit(skb, DIOWQ_A_TUNED_MS, tuned_ms, DIOWQ_A_PAD))
		return -EMSGSIZE;
	return dsb->queue->cg ? diowq_nl_put_cg(skb, dsb->queue->cg) : 0;
}

/*
 * Events are sent under the registry's state lock, from requests, the
 * rescan and the unmount hook alike; a listener that cannot keep up loses
 * events (ENOBUFS on its socket), a tune never waits for a listener.
 */
void diowq_nl_notify(enum diowq_event event, const struct diowq_sb *dsb)
{
	struct sk_buff *skb;
	void *hdr;

	if (!READ_ONCE(diowq_nl_registered) ||
	    !genl_has_listeners(&diowq_family, &init_net,
				DIOWQ_MCGRP_EVENTS_IDX))
		return;
	skb = genlmsg_new(DIOWQ_NL_SB_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &diowq_family, 0, DIOWQ_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(skb, DIOWQ_A_EVENT, event) ||
	    diowq_nl_put_sb(skb, dsb)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&diowq_family, skb, 0, DIOWQ_MCGRP_EVENTS_IDX,
			  GFP_KERNEL);
}

/*
 * GENL_ADMIN_PERM checks CAP_NET_ADMIN; changing what completes where in
 * the block layer is a CAP_SYS_ADMIN matter, like remounting.
 */
static int diowq_nl_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack, "changing diowq needs CAP_SYS_ADMIN");
	return -EPERM;
}

static int diowq_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	char auto_fstypes[DIOWQ_AUTO_FSTYPES_MAXLEN];
	const char *const *t;
	char supported[DIOWQ_AUTO_FSTYPES_MAXLEN];
	struct sk_buff *msg;
	int len = 0;
	void *hdr;

	for (t = diowq_supported_fstypes; *t; t++)
		len += scnprintf(supported + len, sizeof(supported) - len,
				 "%s%s", len ? "," : "", *t);
	diowq_auto_format(auto_fstypes, sizeof(auto_fstypes));

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &diowq_family, 0,
				DIOWQ_CMD_GET_CONFIG);
	if (!hdr ||
	    nla_put_string(msg, DIOWQ_A_VERSION, DIOWQ_VERSION) ||
	    nla_put_string(msg, DIOWQ_A_SUPPORTED_FSTYPES, supported) ||
	    nla_put_u32(msg, DIOWQ_A_DEFAULT_MODE,
			READ_ONCE(diowq_default_mode)) ||
	    nla_put_string(msg, DIOWQ_A_AUTO_FSTYPES, auto_fstypes) ||
	    nla_put_u32(msg, DIOWQ_A_AUTO_RESCAN_MS, DIOWQ_AUTO_RESCAN_MS)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Validate everything first, then apply both under one lock hold. */
static int diowq_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mode_attr = info->attrs[DIOWQ_A_DEFAULT_MODE];
	struct nlattr *auto_attr = info->attrs[DIOWQ_A_AUTO_FSTYPES];
	struct diowq_auto_list list = { };
	int err;

	err = diowq_nl_admin(skb, info);
	if (err)
		return err;

	if (!mode_attr && !auto_attr) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: DEFAULT_MODE or AUTO_FSTYPES");
		return -EINVAL;
	}
	if (auto_attr) {
		err = diowq_auto_parse(nla_data(auto_attr), &list);
		if (err == -EINVAL)
			NL_SET_ERR_MSG_ATTR(info->extack, auto_attr,
					    "malformed filesystem type list");
		else if (err)
			NL_SET_ERR_MSG_ATTR(info->extack, auto_attr,
					    "only xfs and ext4 can be auto-tuned");
		if (err)
			return err;
	}

	/* The mode first: committing the list auto-tunes in it at once. */
	mutex_lock(&diowq_ctl_lock);
	if (mode_attr)
		WRITE_ONCE(diowq_default_mode, nla_get_u32(mode_attr));
	if (auto_attr) {
		err = diowq_auto_commit(&list);
		if (err) {
			mutex_unlock(&diowq_ctl_lock);
			NL_SET_ERR_MSG(info->extack, "diowq is being unloaded");
			return err;
		}
	}
	mutex_unlock(&diowq_ctl_lock);
	return 0;
}

/*
 * The mount a request names: FD (an open file of the mount's root; the
 * file pins the mount for the whole request) or DEV_MAJOR + DEV_MINOR.
 */
struct diowq_nl_target {
	struct file *file;
	dev_t dev;
};

static int diowq_nl_target_get(struct genl_info *info,
			       struct diowq_nl_target *target)
{
	struct nlattr *fd = info->attrs[DIOWQ_A_FD];
	struct nlattr *major = info->attrs[DIOWQ_A_DEV_MAJOR];
	struct nlattr *minor = info->attrs[DIOWQ_A_DEV_MINOR];

	target->file = NULL;
	if (fd && (major || minor)) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd,
				    "FD and DEV_MAJOR/DEV_MINOR are exclusive");
		return -EINVAL;
	}
	if (fd) {
		/*
		 * fget_raw(): an O_PATH descriptor is the natural way to name
		 * a mount point without opening it for reading. Only its path
		 * is used, and every request checks that it is a mount root.
		 */
		target->file = fget_raw(nla_get_s32(fd));
		if (!target->file) {
			NL_SET_ERR_MSG_ATTR(info->extack, fd,
					    "not an open file descriptor");
			return -EBADF;
		}
		return 0;
	}
	if (!major || !minor) {
		NL_SET_ERR_MSG(info->extack,
			       "name a mount: FD, or DEV_MAJOR and DEV_MINOR");
		return -EINVAL;
	}
	target->dev = MKDEV(nla_get_u32(major), nla_get_u32(minor));
	return 0;
}

static void diowq_nl_target_put(struct diowq_nl_target *target)
{
	if (target->file)
		fput(target->file);
}

/*
 * Mode cgroup's directory: CGROUP_FD, an open fd of a cgroup v2 directory
 * of the requester (netlink handlers run in the sender's context, so the
 * fd is looked up in its table). The file is pinned for the request and
 * is what is used: the leaf is made relative to its path, and
 * diowq_mkdir() refuses to go on if resolving the fd again finds another
 * directory (a dup2() of the caller's meanwhile). cgroup_get_from_fd() is
 * the kernel's own answer to "is this a live cgroup v2 directory"
 * (exported on 6.1, 6.12 and 7.x); the pinned file is checked to be on
 * cgroup2 as well, since it is the one used.
 */
static int diowq_nl_cgroup_get(struct genl_info *info,
			       struct diowq_cg_req *cgreq, struct file **filep)
{
	struct nlattr *fd_attr = info->attrs[DIOWQ_A_CGROUP_FD];
	struct nlattr *weight = info->attrs[DIOWQ_A_CGROUP_WEIGHT];
	struct cgroup *cgrp;
	struct file *file;
	int err;

	cgreq->dfd = nla_get_s32(fd_attr);
	cgreq->dir_name = NULL;
	cgreq->weight = weight ? nla_get_u32(weight) : DIOWQ_CG_WEIGHT;
	file = fget(cgreq->dfd);
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr,
				    "CGROUP_FD is not an open file descriptor (O_PATH is not enough)");
		return -EBADF;
	}
	err = diowq_cg_check_dir(&file->f_path, NULL);
	if (err == -ENOTDIR)
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr,
				    "CGROUP_FD is not a directory");
	else if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr,
				    "CGROUP_FD is not a cgroup v2 directory");
	if (err)
		goto err_put;
	cgrp = cgroup_get_from_fd(cgreq->dfd);
	if (IS_ERR(cgrp)) {
		err = PTR_ERR(cgrp);
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr,
				    "CGROUP_FD is not a live cgroup v2 directory");
		goto err_put;
	}
	cgroup_put(cgrp);
	cgreq->dir = file->f_path;
	*filep = file;
	return 0;

err_put:
	fput(file);
	return err;
}

/*
 * MODE cgroup needs CGROUP_FD and takes CGROUP_WEIGHT; no other mode (nor
 * the default mode) takes either. Checked before anything is looked up.
 */
static int diowq_nl_tune_check(struct genl_info *info)
{
	struct nlattr *mode = info->attrs[DIOWQ_A_MODE];
	struct nlattr *fd = info->attrs[DIOWQ_A_CGROUP_FD];
	struct nlattr *weight = info->attrs[DIOWQ_A_CGROUP_WEIGHT];
	bool cgroup = mode && nla_get_u32(mode) == DIOWQ_MODE_CGROUP;

	if (cgroup && !fd) {
		NL_SET_ERR_MSG_ATTR(info->extack, mode,
				    "mode cgroup needs CGROUP_FD, a cgroup v2 directory");
		return -EINVAL;
	}
	if (!cgroup && (fd || weight)) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd ?: weight,
				    "CGROUP_FD and CGROUP_WEIGHT are for mode cgroup only");
		return -EINVAL;
	}
	return 0;
}

static int diowq_nl_tune(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mode_attr = info->attrs[DIOWQ_A_MODE];
	struct diowq_cg_req cgreq, *cgreqp = NULL;
	struct file *cgfile = NULL;
	struct diowq_nl_target target;
	enum diowq_mode mode;
	int err;

	err = diowq_nl_admin(skb, info);
	if (err)
		return err;
	err = diowq_nl_tune_check(info);
	if (err)
		return err;

	if (mode_attr)
		mode = nla_get_u32(mode_attr);
	err = diowq_nl_target_get(info, &target);
	if (err)
		return err;
	if (info->attrs[DIOWQ_A_CGROUP_FD]) {
		err = diowq_nl_cgroup_get(info, &cgreq, &cgfile);
		if (err)
			goto out;
		cgreqp = &cgreq;
	}
	if (target.file)
		err = diowq_tune_mount(&target.file->f_path,
				       mode_attr ? &mode : NULL, cgreqp,
				       info->extack);
	else
		err = diowq_tune_dev(target.dev, mode_attr ? &mode : NULL,
				     cgreqp, info->extack);
	if (cgfile)
		fput(cgfile);
out:
	diowq_nl_target_put(&target);
	return err;
}

/* ALL, or a mount: FD or DEV_MAJOR + DEV_MINOR. */
static int diowq_nl_all_exclusive(struct genl_info *info)
{
	if (info->attrs[DIOWQ_A_FD] || info->attrs[DIOWQ_A_DEV_MAJOR] ||
	    info->attrs[DIOWQ_A_DEV_MINOR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DIOWQ_A_ALL],
				    "ALL does not take a mount");
		return -EINVAL;
	}
	return 0;
}

/*
 * UNTUNE, WATCH and UNWATCH name a mount (FD), a device (DEV_MAJOR +
 * DEV_MINOR) or, with ALL, everything; only the registry call differs.
 */
struct diowq_nl_request {
	int (*mount)(const struct path *path, struct netlink_ext_ack *extack);
	int (*dev)(dev_t dev, struct netlink_ext_ack *extack);
	int (*all)(struct netlink_ext_ack *extack);
};

static int diowq_nl_request(struct sk_buff *skb, struct genl_info *info,
			    const struct diowq_nl_request *req)
{
	struct diowq_nl_target target;
	int err;

	err = diowq_nl_admin(skb, info);
	if (err)
		return err;

	if (info->attrs[DIOWQ_A_ALL])
		return diowq_nl_all_exclusive(info) ?: req->all(info->extack);
	err = diowq_nl_target_get(info, &target);
	if (err)
		return err;
	if (target.file)
		err = req->mount(&target.file->f_path, info->extack);
	else
		err = req->dev(target.dev, info->extack);
	diowq_nl_target_put(&target);
	return err;
}

static int diowq_nl_untune(struct sk_buff *skb, struct genl_info *info)
{
	static const struct diowq_nl_request untune = {
		.mount = diowq_untune_mount,
		.dev = diowq_untune_dev,
		.all = diowq_untune_every,
	};

	return diowq_nl_request(skb, info, &untune);
}

/*
 * WATCH, UNWATCH, GET_WATCH and GET_LATENCY: the module measured dispatch
 * latency up to 0.1; diowqctl now measures it with a BPF program, which
 * needs no module. The commands keep their numbers and say where it went.
 */
#define DIOWQ_RETIRED_MSG \
	"dispatch latency is not measured by the module any more: use diowqctl top or diagnose"

static int diowq_nl_retired(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG(info->extack, DIOWQ_RETIRED_MSG);
	return -EOPNOTSUPP;
}

static int diowq_nl_retired_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	NL_SET_ERR_MSG(cb->extack, DIOWQ_RETIRED_MSG);
	return -EOPNOTSUPP;
}

struct diowq_nl_fill {
	struct sk_buff *skb;
	u32 portid;
	u32 seq;
	int flags;
};

static int diowq_nl_fill_sb(const struct diowq_sb *dsb, void *arg)
{
	struct diowq_nl_fill *fill = arg;
	void *hdr;

	hdr = genlmsg_put(fill->skb, fill->portid, fill->seq, &diowq_family,
			  fill->flags, DIOWQ_CMD_GET_SB);
	if (!hdr)
		return -EMSGSIZE;
	if (diowq_nl_put_sb(fill->skb, dsb)) {
		genlmsg_cancel(fill->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(fill->skb, hdr);
	return 0;
}

static int diowq_nl_get_sb(struct sk_buff *skb, struct genl_info *info)
{
	struct diowq_nl_target target;
	struct diowq_sb_reader reader;
	struct diowq_nl_fill fill;
	struct sk_buff *msg;
	int err;

	err = diowq_nl_target_get(info, &target);
	if (err)
		return err;
	msg = genlmsg_new(DIOWQ_NL_SB_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	fill = (struct diowq_nl_fill){
		.skb = msg, .portid = info->snd_portid, .seq = info->snd_seq,
	};
	reader = (struct diowq_sb_reader){ diowq_nl_fill_sb, &fill };
	if (target.file)
		err = diowq_with_tuned_mount(&target.file->f_path, &reader,
					     info->extack);
	else
		err = diowq_with_tuned_dev(target.dev, &reader, info->extack);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	diowq_nl_target_put(&target);
	return err;
}

/* cb->args[0]: how many tuned superblocks earlier parts of the dump sent. */
static int diowq_nl_dump_sb(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct diowq_nl_fill fill = {
		.skb = skb,
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
	};
	const struct diowq_sb_reader reader = { diowq_nl_fill_sb, &fill };
	int err;

	err = diowq_visit_tuned(&reader, &cb->args[0]);
	/* A full skb ends this part; the next one resumes at args[0]. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

#define DIOWQ_OP_POLICY(p) .policy = (p), .maxattr = DIOWQ_A_MAX

static const struct genl_ops diowq_ops[] = {
	{
		.cmd = DIOWQ_CMD_GET_CONFIG,
		.doit = diowq_nl_get_config,
		DIOWQ_OP_POLICY(diowq_none_policy),
	},
	{
		.cmd = DIOWQ_CMD_SET_CONFIG,
		.doit = diowq_nl_set_config,
		.flags = GENL_ADMIN_PERM,
		DIOWQ_OP_POLICY(diowq_set_config_policy),
	},
	{
		.cmd = DIOWQ_CMD_GET_SB,
		.doit = diowq_nl_get_sb,
		.dumpit = diowq_nl_dump_sb,
		DIOWQ_OP_POLICY(diowq_get_sb_policy),
	},
	{
		.cmd = DIOWQ_CMD_TUNE,
		.doit = diowq_nl_tune,
		.flags = GENL_ADMIN_PERM,
		DIOWQ_OP_POLICY(diowq_tune_policy),
	},
	{
		.cmd = DIOWQ_CMD_UNTUNE,
		.doit = diowq_nl_untune,
		.flags = GENL_ADMIN_PERM,
		DIOWQ_OP_POLICY(diowq_untune_policy),
	},
	{
		.cmd = DIOWQ_CMD_WATCH,
		.doit = diowq_nl_retired,
		DIOWQ_OP_POLICY(diowq_none_policy),
	},
	{
		.cmd = DIOWQ_CMD_UNWATCH,
		.doit = diowq_nl_retired,
		DIOWQ_OP_POLICY(diowq_none_policy),
	},
	{
		.cmd = DIOWQ_CMD_GET_WATCH,
		.doit = diowq_nl_retired,
		DIOWQ_OP_POLICY(diowq_none_policy),
	},
	{
		.cmd = DIOWQ_CMD_GET_LATENCY,
		.doit = diowq_nl_retired,
		.dumpit = diowq_nl_retired_dump,
		DIOWQ_OP_POLICY(diowq_none_policy),
	},
};

static struct genl_family diowq_family __ro_after_init = {
	.name = DIOWQ_GENL_NAME,
	.version = DIOWQ_GENL_VERSION,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = diowq_ops,
	.n_ops = ARRAY_SIZE(diowq_ops),
	.mcgrps = diowq_mcgrps,
	.n_mcgrps = ARRAY_SIZE(diowq_mcgrps),
};

int diowq_netlink_init(void)
{
	int err = genl_register_family(&diowq_family);

	if (!err)
		WRITE_ONCE(diowq_nl_registered, true);
	return err;
}

void diowq_netlink_exit(void)
{
	WRITE_ONCE(diowq_nl_registered, false);
	genl_unregister_family(&diowq_family);
}

/* A request for the family loads the module where it is installed. */
MODULE_ALIAS_GENL_FAMILY(DIOWQ_GENL_NAME);
