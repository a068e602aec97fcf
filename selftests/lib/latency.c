// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch latency: see latency.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"
#include "sysfs.h"
#include "util.h"

/* Replies are large and the tests single threaded: one static buffer. */
static struct dq_genl_reply lat_reply;

static void copy_extack(char *extack, size_t size)
{
	if (extack && size)
		snprintf(extack, size, "%s", lat_reply.extack);
}

/* A malformed reply: say what was wrong, once, and fail with -EPROTO. */
static int malformed(const char *cmd, unsigned int index, const char *what)
{
	dq_log("%s reply %u: %s", cmd, index, what);
	return -EPROTO;
}

static int parse_cpu(unsigned int i, struct dq_lat_cpu *c)
{
	const struct nlattr *hist;
	uint32_t u32;
	bool has_pid;

	memset(c, 0, sizeof(*c));
	if (dq_genl_cmd(&lat_reply, i) != DIOWQ_CMD_GET_LATENCY)
		return malformed("GET_LATENCY", i, "not a GET_LATENCY message");
	if (!dq_genl_attr_u32(&lat_reply, i, DIOWQ_A_CPU, &c->cpu))
		return malformed("GET_LATENCY", i, "no u32 CPU");
	if (!dq_genl_attr_u8(&lat_reply, i, DIOWQ_A_CPU_ONLINE, &c->online))
		return malformed("GET_LATENCY", i, "no u8 CPU_ONLINE");
	if (c->online > 1)
		return malformed("GET_LATENCY", i, "CPU_ONLINE is not 0 or 1");
	if (!dq_genl_attr_u64(&lat_reply, i, DIOWQ_A_COMPLETIONS,
			      &c->completions))
		return malformed("GET_LATENCY", i, "no u64 COMPLETIONS");
	if (!dq_genl_attr_u64(&lat_reply, i, DIOWQ_A_LATENCY_SUM_NS,
			      &c->sum_ns))
		return malformed("GET_LATENCY", i, "no u64 LATENCY_SUM_NS");
	if (!dq_genl_attr_u64(&lat_reply, i, DIOWQ_A_LATENCY_MAX_NS,
			      &c->max_ns))
		return malformed("GET_LATENCY", i, "no u64 LATENCY_MAX_NS");
	hist = dq_genl_attr(&lat_reply, i, DIOWQ_A_LATENCY_HIST);
	if (!hist || dq_nla_len(hist) != sizeof(c->hist))
		return malformed("GET_LATENCY", i,
				 "no LATENCY_HIST of 32 u64s");
	memcpy(c->hist, dq_nla_data(hist), sizeof(c->hist));

	/* All four, or none (nothing measured on this CPU yet). */
	has_pid = dq_genl_attr(&lat_reply, i, DIOWQ_A_WORKER_PID);
	c->has_last = has_pid;
	if (!has_pid) {
		if (dq_genl_attr(&lat_reply, i, DIOWQ_A_WORKER_NICE) ||
		    dq_genl_attr(&lat_reply, i, DIOWQ_A_DEV_MAJOR) ||
		    dq_genl_attr(&lat_reply, i, DIOWQ_A_DEV_MINOR))
			return malformed("GET_LATENCY", i,
					 "WORKER_NICE or DEV without WORKER_PID");
		return 0;
	}
	if (!dq_genl_attr_u32(&lat_reply, i, DIOWQ_A_WORKER_PID,
			      &c->worker_pid))
		return malformed("GET_LATENCY", i, "WORKER_PID is no u32");
	if (!dq_genl_attr_s32(&lat_reply, i, DIOWQ_A_WORKER_NICE,
			      &c->worker_nice))
		return malformed("GET_LATENCY", i, "no s32 WORKER_NICE");
	if (!dq_genl_attr_u32(&lat_reply, i, DIOWQ_A_DEV_MAJOR, &u32))
		return malformed("GET_LATENCY", i, "no u32 DEV_MAJOR");
	c->dev_major = u32;
	if (!dq_genl_attr_u32(&lat_reply, i, DIOWQ_A_DEV_MINOR, &u32))
		return malformed("GET_LATENCY", i, "no u32 DEV_MINOR");
	c->dev_minor = u32;
	return 0;
}

int dq_lat_read(struct dq_genl *nl, bool clear_max, struct dq_lat *lat,
		char *extack, size_t extack_size)
{
	struct dq_genl_msg msg;
	unsigned int i, j;
	int err;

	memset(lat, 0, sizeof(*lat));
	copy_extack(extack, extack_size);
	dq_genl_msg_init(nl, &msg, DIOWQ_CMD_GET_LATENCY, NLM_F_DUMP);
	if (clear_max)
		dq_genl_put_flag(&msg, DIOWQ_A_CLEAR_MAX);
	err = dq_genl_call(nl, &msg, &lat_reply);
	if (err)
		return err;
	copy_extack(extack, extack_size);
	if (lat_reply.error)
		return lat_reply.error;
	if (lat_reply.nr_msgs > DQ_LAT_MAX_CPUS)
		return malformed("GET_LATENCY", lat_reply.nr_msgs,
				 "more replies than DQ_LAT_MAX_CPUS");
	for (i = 0; i < lat_reply.nr_msgs; i++) {
		err = parse_cpu(i, &lat->cpus[i]);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if (lat->cpus[j].cpu == lat->cpus[i].cpu)
				return malformed("GET_LATENCY", i,
						 "a CPU replied twice");
	}
	lat->nr = lat_reply.nr_msgs;
	return 0;
}

const struct dq_lat_cpu *dq_lat_find(const struct dq_lat *lat,
				     unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < lat->nr; i++)
		if (lat->cpus[i].cpu == cpu)
			return &lat->cpus[i];
	return NULL;
}

uint64_t dq_lat_total(const struct dq_lat *lat)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < lat->nr; i++)
		total += lat->cpus[i].completions;
	return total;
}

int dq_lat_diff(const struct dq_lat *after, const struct dq_lat *before,
		struct dq_lat *delta)
{
	unsigned int i, b;

	if (after->nr != before->nr)
		return -EINVAL;
	*delta = *after;
	for (i = 0; i < after->nr; i++) {
		const struct dq_lat_cpu *old = dq_lat_find(before,
							   after->cpus[i].cpu);
		struct dq_lat_cpu *d = &delta->cpus[i];

		if (!old)
			return -EINVAL;
		d->completions -= old->completions;
		d->sum_ns -= old->sum_ns;
		for (b = 0; b < DIOWQ_LATENCY_BUCKETS; b++)
			d->hist[b] -= old->hist[b];
	}
	return 0;
}

void dq_lat_log(const char *what, const struct dq_lat *lat)
{
	unsigned int i, b;

	for (i = 0; i < lat->nr; i++) {
		const struct dq_lat_cpu *c = &lat->cpus[i];
		char buckets[1024];
		size_t used = 0;

		buckets[0] = '\0';
		for (b = 0; b < DIOWQ_LATENCY_BUCKETS && used < sizeof(buckets);
		     b++)
			if (c->hist[b])
				used += snprintf(buckets + used,
						 sizeof(buckets) - used,
						 " [%u]=%" PRIu64, b,
						 c->hist[b]);
		dq_log("%s: cpu %u%s: %" PRIu64 " completions, sum %" PRIu64
		       " ns, max %" PRIu64 " ns;%s", what, c->cpu,
		       c->online ? "" : " (offline)", c->completions,
		       c->sum_ns, c->max_ns, buckets);
		if (c->has_last)
			dq_log("%s: cpu %u: last on dev %u:%u by pid %u, nice %d",
			       what, c->cpu, c->dev_major, c->dev_minor,
			       c->worker_pid, c->worker_nice);
	}
}

int dq_watch_info(struct dq_genl *nl, struct dq_watch_info *wi)
{
	const struct nlattr *nest;
	struct dq_genl_msg msg;
	unsigned int n;
	int err;

	memset(wi, 0, sizeof(*wi));
	dq_genl_msg_init(nl, &msg, DIOWQ_CMD_GET_WATCH, 0);
	err = dq_genl_call(nl, &msg, &lat_reply);
	if (err)
		return err;
	if (lat_reply.error)
		return lat_reply.error;
	if (lat_reply.nr_msgs != 1)
		return malformed("GET_WATCH", lat_reply.nr_msgs,
				 "not exactly one reply");
	if (dq_genl_cmd(&lat_reply, 0) != DIOWQ_CMD_GET_WATCH)
		return malformed("GET_WATCH", 0, "not a GET_WATCH message");
	if (!dq_genl_attr_u8(&lat_reply, 0, DIOWQ_A_PROBES, &wi->probes) ||
	    wi->probes > 1)
		return malformed("GET_WATCH", 0, "no u8 PROBES of 0 or 1");
	if (!dq_genl_attr_u8(&lat_reply, 0, DIOWQ_A_WATCH_ALL, &wi->all) ||
	    wi->all > 1)
		return malformed("GET_WATCH", 0, "no u8 WATCH_ALL of 0 or 1");
	if (!dq_genl_attr_u64(&lat_reply, 0, DIOWQ_A_PROBE_NS, &wi->probe_ns))
		return malformed("GET_WATCH", 0, "no u64 PROBE_NS");
	if (!dq_genl_attr_u64(&lat_reply, 0, DIOWQ_A_PROBE_HITS,
			      &wi->probe_hits))
		return malformed("GET_WATCH", 0, "no u64 PROBE_HITS");
	if (!dq_genl_attr_u64(&lat_reply, 0, DIOWQ_A_UNMATCHED,
			      &wi->unmatched))
		return malformed("GET_WATCH", 0, "no u64 UNMATCHED");
	if (!dq_genl_attr_u32(&lat_reply, 0, DIOWQ_A_HIST_BUCKETS,
			      &wi->hist_buckets))
		return malformed("GET_WATCH", 0, "no u32 HIST_BUCKETS");
	for (n = 0; (nest = dq_genl_attr_nth(&lat_reply, 0, DIOWQ_A_WATCHED,
					     n)); n++) {
		if (n >= DQ_LAT_MAX_WATCHED)
			return malformed("GET_WATCH", 0,
					 "more than DQ_LAT_MAX_WATCHED WATCHED");
		if (!dq_nla_nested_u32(nest, DIOWQ_A_DEV_MAJOR,
				       &wi->watched[n].major) ||
		    !dq_nla_nested_u32(nest, DIOWQ_A_DEV_MINOR,
				       &wi->watched[n].minor))
			return malformed("GET_WATCH", 0,
					 "a WATCHED without u32 DEV_MAJOR and DEV_MINOR");
	}
	wi->nr_watched = n;
	return 0;
}

bool dq_watch_info_has(const struct dq_watch_info *wi, uint32_t major,
		       uint32_t minor)
{
	unsigned int i;

	for (i = 0; i < wi->nr_watched; i++)
		if (wi->watched[i].major == major &&
		    wi->watched[i].minor == minor)
			return true;
	return false;
}

uint64_t dq_bucket_lower(unsigned int b)
{
	return b ? 1ull << (b - 1) : 0;
}

uint64_t dq_bucket_upper(unsigned int b)
{
	return b + 1 < DIOWQ_LATENCY_BUCKETS ? 1ull << b : UINT64_MAX;
}

unsigned int dq_bucket_of(uint64_t ns)
{
	unsigned int b = 0;

	while (b + 1 < DIOWQ_LATENCY_BUCKETS && ns >= dq_bucket_upper(b))
		b++;
	return b;
}

int dq_hist_highest(const uint64_t hist[DIOWQ_LATENCY_BUCKETS])
{
	int b;

	for (b = DIOWQ_LATENCY_BUCKETS - 1; b >= 0; b--)
		if (hist[b])
			return b;
	return -1;
}

uint64_t dq_hist_sum(const uint64_t hist[DIOWQ_LATENCY_BUCKETS])
{
	uint64_t sum = 0;
	unsigned int b;

	for (b = 0; b < DIOWQ_LATENCY_BUCKETS; b++)
		sum += hist[b];
	return sum;
}

int dq_watch(const char *what)
{
	return dq_write_attr(DIOWQ_ATTR_WATCH, what);
}

int dq_unwatch(const char *what)
{
	return dq_write_attr(DIOWQ_ATTR_UNWATCH, what);
}

int dq_read_probes(int *on)
{
	char buf[16];
	int err = dq_read_attr(DIOWQ_ATTR_PROBES, buf, sizeof(buf));

	if (err)
		return err;
	if (strcmp(buf, "0") && strcmp(buf, "1"))
		return -EBADMSG;
	*on = buf[0] == '1';
	return 0;
}

int dq_read_watching(char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t len;
	int n;

	dq_attr_path(path, sizeof(path), NULL, DIOWQ_ATTR_WATCHING);
	n = dq_read_file(path, buf, size);
	if (n < 0)
		return n;
	len = strlen(buf);
	if ((size_t)n != len)
		return -EBADMSG;	/* a NUL inside */
	if (len && buf[len - 1] != '\n')
		return -EBADMSG;	/* an unterminated line */
	if (buf[0] == '\n' || strstr(buf, "\n\n"))
		return -EBADMSG;	/* an empty line */
	return 0;
}

bool dq_watching_has(const char *watching, const char *line)
{
	size_t len = strlen(line);
	const char *p = watching;

	while (*p) {
		if (!strncmp(p, line, len) && p[len] == '\n')
			return true;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return false;
}

unsigned int dq_watching_count(const char *watching)
{
	unsigned int n = 0;

	for (; *watching; watching++)
		n += *watching == '\n';
	return n;
}

int dq_possible_cpus(void)
{
	char buf[256], *p;
	int n = 0;

	if (dq_read_file("/sys/devices/system/cpu/possible", buf,
			 sizeof(buf)) < 0)
		return -EIO;
	/* "0-1", "0", "0-3,8-11". */
	for (p = buf; *p && *p != '\n';) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return -EBADMSG;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				return -EBADMSG;
		}
		n += hi - lo + 1;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}
