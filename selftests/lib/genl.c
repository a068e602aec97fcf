// SPDX-License-Identifier: GPL-2.0
/*
 * Raw generic netlink for the selftests: see genl.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "uapi/diowq.h"
#include "genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NLA_DATA(nla) ((void *)((char *)(nla) + NLA_HDRLEN))
#define GENL_HDR(nlh) ((struct genlmsghdr *)NLMSG_DATA(nlh))
#define GENL_ATTRS(nlh) \
	((struct nlattr *)((char *)GENL_HDR(nlh) + GENL_HDRLEN))

static void dq_genl_msg_init_raw(struct dq_genl_msg *msg, uint16_t type,
				 uint8_t cmd, uint8_t version, uint16_t flags,
				 uint32_t seq)
{
	memset(msg, 0, sizeof(*msg));
	msg->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	msg->nlh.nlmsg_type = type;
	msg->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	msg->nlh.nlmsg_seq = seq;
	GENL_HDR(&msg->nlh)->cmd = cmd;
	GENL_HDR(&msg->nlh)->version = version;
}

void dq_genl_put(struct dq_genl_msg *msg, uint16_t type, const void *data,
		 size_t len)
{
	size_t at = NLMSG_ALIGN(msg->nlh.nlmsg_len);
	struct nlattr *nla;

	if (at + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(msg->buf)) {
		msg->overflow = true;
		return;
	}
	nla = (struct nlattr *)(msg->buf + at);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(NLA_DATA(nla), data, len);
	msg->nlh.nlmsg_len = NLMSG_ALIGN(msg->nlh.nlmsg_len) +
			     NLA_ALIGN(nla->nla_len);
}

void dq_genl_put_u32(struct dq_genl_msg *msg, uint16_t type, uint32_t val)
{
	dq_genl_put(msg, type, &val, sizeof(val));
}

void dq_genl_put_s32(struct dq_genl_msg *msg, uint16_t type, int32_t val)
{
	dq_genl_put(msg, type, &val, sizeof(val));
}

void dq_genl_put_str(struct dq_genl_msg *msg, uint16_t type, const char *s)
{
	dq_genl_put(msg, type, s, strlen(s) + 1);
}

void dq_genl_put_flag(struct dq_genl_msg *msg, uint16_t type)
{
	dq_genl_put(msg, type, NULL, 0);
}

void dq_genl_msg_init(struct dq_genl *nl, struct dq_genl_msg *msg,
		      uint8_t cmd, uint16_t flags)
{
	dq_genl_msg_init_raw(msg, nl->family, cmd, DIOWQ_GENL_VERSION, flags,
			     ++nl->seq);
}

/* The extack message of an NLMSG_ERROR, if the kernel attached one. */
static void dq_genl_parse_extack(const struct nlmsghdr *nlh,
				 struct dq_genl_reply *reply)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *nla;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the offending request follows the error. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	for (nla = (const void *)((const char *)err + NLMSG_ALIGN(off));
	     (const char *)nla + NLA_HDRLEN <= (const char *)nlh + nlh->nlmsg_len;
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len))) {
		if (nla->nla_len < NLA_HDRLEN)
			break;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(reply->extack, sizeof(reply->extack), "%.*s",
				 (int)(nla->nla_len - NLA_HDRLEN),
				 (const char *)NLA_DATA(nla));
	}
}

/*
 * A dump ends with NLMSG_DONE, whose payload is the dump's error: 0, or
 * the -errno its dumpit callback failed with (then with the extack
 * message after it, as attributes, when NLM_F_ACK_TLVS is set).
 */
static void dq_genl_parse_done(const struct nlmsghdr *nlh,
			       struct dq_genl_reply *reply)
{
	const struct nlattr *nla;
	int error;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(error)))
		return;
	memcpy(&error, NLMSG_DATA(nlh), sizeof(error));
	reply->error = error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	for (nla = (const void *)((const char *)NLMSG_DATA(nlh) +
				  NLMSG_ALIGN(sizeof(error)));
	     (const char *)nla + NLA_HDRLEN <= (const char *)nlh + nlh->nlmsg_len;
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len))) {
		if (nla->nla_len < NLA_HDRLEN)
			break;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(reply->extack, sizeof(reply->extack), "%.*s",
				 (int)(nla->nla_len - NLA_HDRLEN),
				 (const char *)NLA_DATA(nla));
	}
}

/* Receive until NLMSG_ERROR/NLMSG_DONE for seq (or one message if !seq). */
static int dq_genl_recv(int fd, uint32_t seq, struct dq_genl_reply *reply)
{
	static char buf[DQ_NL_BUF];
	bool done = false;

	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;
		size_t left;

		if (n < 0)
			return -errno;
		left = n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			if (seq && nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = NLMSG_DATA(nlh);

				reply->error = err->error;
				dq_genl_parse_extack(nlh, reply);
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				dq_genl_parse_done(nlh, reply);
				done = true;
				break;
			}
			if (reply->len + nlh->nlmsg_len > sizeof(reply->data))
				return -ENOBUFS;
			memcpy(reply->data + reply->len, nlh, nlh->nlmsg_len);
			reply->len += NLMSG_ALIGN(nlh->nlmsg_len);
			reply->nr_msgs++;
			if (!seq)
				done = true;
		}
	}
	return 0;
}

int dq_genl_call(struct dq_genl *nl, struct dq_genl_msg *msg,
		 struct dq_genl_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	if (msg->overflow)
		return -EMSGSIZE;
	if (send(nl->fd, &msg->nlh, msg->nlh.nlmsg_len, 0) < 0)
		return -errno;
	return dq_genl_recv(nl->fd, msg->nlh.nlmsg_seq, reply);
}

int dq_genl_recv_event(struct dq_genl *nl, struct dq_genl_reply *reply,
		       unsigned int timeout_ms)
{
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	int ret;

	memset(reply, 0, sizeof(*reply));
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	return dq_genl_recv(nl->fd, 0, reply);
}

static const struct nlmsghdr *dq_genl_nth(const struct dq_genl_reply *reply,
					  unsigned int index)
{
	const struct nlmsghdr *nlh = (const void *)reply->data;
	size_t left = reply->len;

	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left))
		if (!index--)
			return nlh;
	return NULL;
}

uint8_t dq_genl_cmd(const struct dq_genl_reply *reply, unsigned int index)
{
	const struct nlmsghdr *nlh = dq_genl_nth(reply, index);

	return nlh ? GENL_HDR(nlh)->cmd : 0;
}

static const struct nlattr *dq_genl_find(const struct nlmsghdr *nlh,
					 uint16_t type)
{
	const struct nlattr *nla = GENL_ATTRS(nlh);
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	for (; (const char *)nla + NLA_HDRLEN <= end && nla->nla_len >= NLA_HDRLEN;
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len)))
		if ((nla->nla_type & NLA_TYPE_MASK) == type)
			return nla;
	return NULL;
}

const struct nlattr *dq_genl_attr(const struct dq_genl_reply *reply,
				  unsigned int index, uint16_t type)
{
	const struct nlmsghdr *nlh = dq_genl_nth(reply, index);

	return nlh ? dq_genl_find(nlh, type) : NULL;
}

bool dq_genl_attr_u32(const struct dq_genl_reply *reply, unsigned int index,
		      uint16_t type, uint32_t *val)
{
	const struct nlattr *nla = dq_genl_attr(reply, index, type);

	if (!nla || nla->nla_len != NLA_HDRLEN + sizeof(*val))
		return false;
	memcpy(val, NLA_DATA(nla), sizeof(*val));
	return true;
}

const char *dq_genl_attr_str(const struct dq_genl_reply *reply,
			     unsigned int index, uint16_t type)
{
	const struct nlattr *nla = dq_genl_attr(reply, index, type);

	if (!nla || nla->nla_len <= NLA_HDRLEN)
		return NULL;
	return NLA_DATA(nla);
}

/* The attribute, if it is there with a payload of exactly size bytes. */
static bool attr_fixed(const struct dq_genl_reply *reply, unsigned int index,
		       uint16_t type, void *val, size_t size)
{
	const struct nlattr *nla = dq_genl_attr(reply, index, type);

	if (!nla || nla->nla_len != NLA_HDRLEN + size)
		return false;
	memcpy(val, NLA_DATA(nla), size);
	return true;
}

bool dq_genl_attr_u8(const struct dq_genl_reply *reply, unsigned int index,
		     uint16_t type, uint8_t *val)
{
	return attr_fixed(reply, index, type, val, sizeof(*val));
}

bool dq_genl_attr_s32(const struct dq_genl_reply *reply, unsigned int index,
		      uint16_t type, int32_t *val)
{
	return attr_fixed(reply, index, type, val, sizeof(*val));
}

bool dq_genl_attr_u64(const struct dq_genl_reply *reply, unsigned int index,
		      uint16_t type, uint64_t *val)
{
	return attr_fixed(reply, index, type, val, sizeof(*val));
}

const struct nlattr *dq_genl_attr_nth(const struct dq_genl_reply *reply,
				      unsigned int index, uint16_t type,
				      unsigned int nth)
{
	const struct nlmsghdr *nlh = dq_genl_nth(reply, index);
	const struct nlattr *nla;
	const char *end;

	if (!nlh)
		return NULL;
	end = (const char *)nlh + nlh->nlmsg_len;
	for (nla = GENL_ATTRS(nlh);
	     (const char *)nla + NLA_HDRLEN <= end && nla->nla_len >= NLA_HDRLEN;
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len)))
		if ((nla->nla_type & NLA_TYPE_MASK) == type && !nth--)
			return nla;
	return NULL;
}

unsigned int dq_genl_attr_count(const struct dq_genl_reply *reply,
				unsigned int index, uint16_t type)
{
	unsigned int n = 0;

	while (dq_genl_attr_nth(reply, index, type, n))
		n++;
	return n;
}

const void *dq_nla_data(const struct nlattr *nla)
{
	return NLA_DATA(nla);
}

size_t dq_nla_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

bool dq_nla_nested_u32(const struct nlattr *nest, uint16_t type,
		       uint32_t *val)
{
	const char *end = (const char *)nest + nest->nla_len;
	const struct nlattr *nla;

	for (nla = NLA_DATA(nest);
	     (const char *)nla + NLA_HDRLEN <= end && nla->nla_len >= NLA_HDRLEN;
	     nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len))) {
		if ((nla->nla_type & NLA_TYPE_MASK) != type)
			continue;
		if (nla->nla_len != NLA_HDRLEN + sizeof(*val))
			return false;
		memcpy(val, NLA_DATA(nla), sizeof(*val));
		return true;
	}
	return false;
}

/* CTRL_CMD_GETFAMILY: id, version and the "events" group. */
static int dq_genl_resolve(struct dq_genl *nl)
{
	static struct dq_genl_reply reply;
	const struct nlattr *groups, *grp, *a;
	struct dq_genl_msg msg;
	uint32_t val;
	int err;

	dq_genl_msg_init_raw(&msg, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0,
			     ++nl->seq);
	dq_genl_put_str(&msg, CTRL_ATTR_FAMILY_NAME, DIOWQ_GENL_NAME);
	err = dq_genl_call(nl, &msg, &reply);
	if (err)
		return err;
	if (reply.error)
		return reply.error;
	if (!dq_genl_attr_u32(&reply, 0, CTRL_ATTR_VERSION, &nl->version))
		return -EPROTO;
	a = dq_genl_attr(&reply, 0, CTRL_ATTR_FAMILY_ID);
	if (!a)
		return -EPROTO;
	memcpy(&nl->family, NLA_DATA(a), sizeof(nl->family));

	groups = dq_genl_attr(&reply, 0, CTRL_ATTR_MCAST_GROUPS);
	if (!groups)
		return 0;
	for (grp = NLA_DATA(groups);
	     (const char *)grp < (const char *)groups + groups->nla_len;
	     grp = (const void *)((const char *)grp + NLA_ALIGN(grp->nla_len))) {
		const char *name = NULL;

		val = 0;
		for (a = NLA_DATA(grp);
		     (const char *)a < (const char *)grp + grp->nla_len;
		     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
			if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
				name = NLA_DATA(a);
			else if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID)
				memcpy(&val, NLA_DATA(a), sizeof(val));
		}
		if (name && !strcmp(name, DIOWQ_GENL_MCGRP_EVENTS))
			nl->events_group = val;
	}
	return 0;
}

int dq_genl_open(struct dq_genl *nl)
{
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one))) {
		err = -errno;
		goto fail;
	}
	err = dq_genl_resolve(nl);
	if (!err)
		return 0;
fail:
	close(nl->fd);
	nl->fd = -1;
	return err;
}

void dq_genl_close(struct dq_genl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int dq_genl_subscribe_events(struct dq_genl *nl)
{
	if (!nl->events_group)
		return -ENOENT;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &nl->events_group, sizeof(nl->events_group)))
		return -errno;
	return 0;
}
