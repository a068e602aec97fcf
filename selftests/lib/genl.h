/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw generic netlink client for the selftests: no libnl, so the tests
 * can send exactly the bytes they want (wrong types, bad lengths, unknown
 * attributes) and see the kernel's own answer, including its extended ack
 * message.
 */
#ifndef DIOWQ_SELFTEST_GENL_H
#define DIOWQ_SELFTEST_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#define DQ_NL_BUF 16384

struct dq_genl {
	int fd;
	uint16_t family;	/* resolved id of DIOWQ_GENL_NAME */
	uint32_t version;	/* the family's version */
	uint32_t events_group;	/* multicast group id, 0 if absent */
	uint32_t seq;
};

/*
 * A request being built: header + attributes, sent as is. Room for an
 * attribute bigger than a page, which the malformed-input tests send; an
 * attribute that does not fit is not written, and the message is then
 * refused by dq_genl_call() instead of sent cut.
 */
#define DQ_GENL_MSG_CAP 8192
struct dq_genl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[DQ_GENL_MSG_CAP];
	};
	bool overflow;
};

/* What came back: the error (0 on ACK), its extack text, the replies. */
struct dq_genl_reply {
	int error;			/* 0 or -errno from NLMSG_ERROR, or
					 * from a dump's NLMSG_DONE */
	char extack[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	unsigned int nr_msgs;		/* data messages received */
	char data[DQ_NL_BUF * 4];	/* their concatenated bytes */
	size_t len;
};

/* Open a socket and resolve the diowq family; -errno on failure. */
int dq_genl_open(struct dq_genl *nl);
void dq_genl_close(struct dq_genl *nl);
int dq_genl_subscribe_events(struct dq_genl *nl);

void dq_genl_msg_init(struct dq_genl *nl, struct dq_genl_msg *msg,
		      uint8_t cmd, uint16_t flags);
/* Append a raw attribute of any type and length. */
void dq_genl_put(struct dq_genl_msg *msg, uint16_t type, const void *data,
		 size_t len);
void dq_genl_put_u32(struct dq_genl_msg *msg, uint16_t type, uint32_t val);
void dq_genl_put_s32(struct dq_genl_msg *msg, uint16_t type, int32_t val);
void dq_genl_put_str(struct dq_genl_msg *msg, uint16_t type, const char *s);
/* A flag attribute: no payload. */
void dq_genl_put_flag(struct dq_genl_msg *msg, uint16_t type);

/*
 * Send msg and collect replies until the ACK/error or dump's end; -EMSGSIZE
 * (nothing sent) if an attribute did not fit.
 */
int dq_genl_call(struct dq_genl *nl, struct dq_genl_msg *msg,
		 struct dq_genl_reply *reply);

/* Wait up to timeout_ms for one multicast message; 0, -ETIMEDOUT, -errno. */
int dq_genl_recv_event(struct dq_genl *nl, struct dq_genl_reply *reply,
		       unsigned int timeout_ms);

/*
 * Walking replies: for the i-th data message (0-based), the attribute of
 * @type. Returns NULL when absent.
 */
const struct nlattr *dq_genl_attr(const struct dq_genl_reply *reply,
				  unsigned int index, uint16_t type);
uint8_t dq_genl_cmd(const struct dq_genl_reply *reply, unsigned int index);
bool dq_genl_attr_u32(const struct dq_genl_reply *reply, unsigned int index,
		      uint16_t type, uint32_t *val);
const char *dq_genl_attr_str(const struct dq_genl_reply *reply,
			     unsigned int index, uint16_t type);
/*
 * Fixed-size integers: true only if the attribute is there and its payload
 * is exactly that size (a u64 of 4 bytes is a malformed reply, not a 0).
 */
bool dq_genl_attr_u8(const struct dq_genl_reply *reply, unsigned int index,
		     uint16_t type, uint8_t *val);
bool dq_genl_attr_s32(const struct dq_genl_reply *reply, unsigned int index,
		      uint16_t type, int32_t *val);
bool dq_genl_attr_u64(const struct dq_genl_reply *reply, unsigned int index,
		      uint16_t type, uint64_t *val);

/* How many attributes of @type the index-th message holds. */
unsigned int dq_genl_attr_count(const struct dq_genl_reply *reply,
				unsigned int index, uint16_t type);
/* The nth (0-based) attribute of @type in the index-th message, or NULL. */
const struct nlattr *dq_genl_attr_nth(const struct dq_genl_reply *reply,
				      unsigned int index, uint16_t type,
				      unsigned int nth);

/* Payload and payload length of an attribute. */
const void *dq_nla_data(const struct nlattr *nla);
size_t dq_nla_len(const struct nlattr *nla);
/* A u32 of exactly 4 bytes inside a nested attribute. */
bool dq_nla_nested_u32(const struct nlattr *nest, uint16_t type,
		       uint32_t *val);

#endif /* DIOWQ_SELFTEST_GENL_H */
