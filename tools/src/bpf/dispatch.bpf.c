// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch latency of direct-I/O write completions, per filesystem and CPU, without the module.
 *
 * An async O_DIRECT write through iomap completes in iomap_dio_complete(): mostly from
 * iomap_dio_complete_work() queued on the superblock's s_dio_done_wq (ours when diowq tuned it);
 * on 7.x, for a pure overwrite, inline in the bio's end_io; and in the submitting task when the
 * I/O ended before the submission returned. Three BTF-typed tracepoints see the queued ones:
 * workqueue_queue_work stamps the work with the time and its queue, workqueue_execute_start
 * takes the stamp and accounts the delay on the CPU that runs it, workqueue_execute_end adds how
 * long it ran. fentry on iomap_dio_complete, where every dio completes, counts the write
 * completions that ran without a queue: inline in the bio's end_io, or in the submitting task.
 *
 * Nothing here mirrors a kernel layout: the structs below are CO-RE flavours that name only the
 * fields read, and libbpf relocates every access against the running kernel's BTF (a field that
 * moved is found, one that is gone fails the load with its name). iomap's private struct
 * iomap_dio is reached from its aio.work the same way. The completion function is static: it is
 * resolved as a ksym from kallsyms; weak, so that a kernel without it still loads (and nothing is
 * then recognised, which the loader reports).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "dispatch_abi.h"

char LICENSE[] SEC("license") = "GPL";

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct work_struct {
	void *func;
};

struct workqueue_struct {
	char name[DQ_DISPATCH_QUEUE_LEN];
};

struct pool_workqueue {
	struct workqueue_struct *wq;
};

struct super_block {
	__u32 s_dev;
};

struct inode {
	struct super_block *i_sb;
};

struct file {
	struct inode *f_inode;
};

struct kiocb {
	struct file *ki_filp;
};

struct task_struct {
	int pid;
	int static_prio;
};

/* fs/iomap/direct-io.c's struct iomap_dio, as far as it is read here. */
struct iomap_dio___diowq {
	struct kiocb *iocb;
	unsigned int flags;
	union {
		struct {
			struct work_struct work;
		} aio;
	};
};
#pragma clang attribute pop

/* fs/iomap/direct-io.c: a #define, so not in BTF; the same from v4.18 to v7.2. */
#define DQ_IOMAP_DIO_WRITE (1U << 30)
/* include/linux/sched/prio.h: nice 0 is static_prio 120. */
#define DQ_NICE_0_PRIO 120

extern const void iomap_dio_complete_work __ksym __weak;

/*
 * Queued works not yet started, in a lock-free table indexed by a hash of the work's address
 * (the module's probes did the same): a hash map's update and delete per completion cost several
 * times the rest of the program. Each slot holds the queueing time in its high bits and a tag of
 * the work's address in its low bits; execute_start takes its stamp only if the tag matches, and
 * claims it with a compare-and-swap, so a stamp is used at most once. Two works in flight in one
 * slot (rare: 16384 slots, a few hundred works in flight) cost the first its stamp: it is counted
 * as unmatched, never with the wrong delay. The queue is kept beside the stamp, written before
 * it and read before the claim; only in that rare shared slot may a completion be shown with the
 * other work's queue (the name shown is the last completion's, not a count).
 */
#define DQ_STAMP_SLOT_BITS 14
#define DQ_STAMP_TAG_BITS 16
#define DQ_STAMP_TAG_MASK ((1ULL << DQ_STAMP_TAG_BITS) - 1)
/* 48 bits of nanoseconds: delays are computed modulo 2^48 ns (78 hours). */
#define DQ_STAMP_TIME_MASK ((1ULL << (64 - DQ_STAMP_TAG_BITS)) - 1)

struct dq_stamp {
	__u64 tagged_time;	/* 0: empty */
	__u64 queue;		/* the struct workqueue_struct it was queued on */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << DQ_STAMP_SLOT_BITS);
	__type(key, __u32);
	__type(value, struct dq_stamp);
} stamps SEC(".maps");

/*
 * The completion work a worker is running, in the worker task's own storage: for its run time
 * (execute_end) and for fentry to know the completion as the queued one it is. Per task, not
 * per CPU: a worker preempted in the middle of its work keeps its entry while other workers
 * run on its CPU.
 *
 * completing is the work's address until fentry has seen that work complete, then 0: the
 * completion frees the dio, and the next dio allocated at the same address (the submitter's
 * next write, which may complete in the submitter itself, or in an interrupt on top of this
 * worker before its execute_end) must not be taken for the queued one.
 */
struct dq_running {
	__u64 work;
	__u64 completing;
	__u64 started_ns;
	__u32 dev;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dq_running);
} running SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct dq_dispatch_key);
	__type(value, struct dq_dispatch_stats);
} stats SEC(".maps");

/*
 * The number of the current window of delay maxima: user space counts it up after reading a
 * window's, so that a maximum is restarted without user space writing the counters.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} windows SEC(".maps");

/*
 * A work's function is read directly, not with a helper: the tracepoints' arguments are typed
 * by the kernel's BTF, so the verifier lets the program load their fields.
 */
static bool is_dio_completion(const void *func)
{
	return &iomap_dio_complete_work && func == &iomap_dio_complete_work;
}

/*
 * A completion's dio, by iomap's private layout as the running kernel's BTF has it. NULL on a
 * kernel whose BTF lacks struct iomap_dio: the check is a constant after relocation, so the
 * reads below are not even loaded there, and every completion counts under device 0.
 */
static struct iomap_dio___diowq *dio_of(const struct work_struct *work)
{
	if (!bpf_core_type_exists(struct iomap_dio___diowq))
		return NULL;
	return (void *)work - bpf_core_field_offset(struct iomap_dio___diowq, aio.work);
}

/* The dio's filesystem; valid until the work has run (the completion puts the file). */
static __u32 dio_dev(const struct iomap_dio___diowq *dio)
{
	return dio ? BPF_CORE_READ(dio, iocb, ki_filp, f_inode, i_sb, s_dev) : 0;
}

static struct dq_dispatch_key key_of(__u32 dev)
{
	struct dq_dispatch_key key = { .cpu = bpf_get_smp_processor_id(), .dev = dev };

	return key;
}

static void window_max_update(struct dq_dispatch_stats *s, __u64 delay)
{
	__u32 zero = 0;
	__u64 *window = bpf_map_lookup_elem(&windows, &zero);

	if (!window)
		return;
	if (s->window != *window) {
		s->window = *window;
		s->window_max_ns = delay;
	} else if (delay > s->window_max_ns) {
		s->window_max_ns = delay;
	}
}

static struct dq_dispatch_stats *stats_of(__u32 dev)
{
	struct dq_dispatch_key key = key_of(dev);
	struct dq_dispatch_stats *s = bpf_map_lookup_elem(&stats, &key);

	if (s)
		return s;
	/* Zeroed and static: a map value cannot come from the stack's 512 bytes budget. */
	static const struct dq_dispatch_stats zero;

	bpf_map_update_elem(&stats, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, &key);
}

/* fls64(ns), capped at the last bucket: the index of the highest bit set, 1-based; 0 for 0. */
static unsigned int log2_bucket(__u64 ns)
{
	unsigned int b = 0;

	if (ns >> 32) {
		b += 32;
		ns >>= 32;
	}
	if (ns >> 16) {
		b += 16;
		ns >>= 16;
	}
	if (ns >> 8) {
		b += 8;
		ns >>= 8;
	}
	if (ns >> 4) {
		b += 4;
		ns >>= 4;
	}
	if (ns >> 2) {
		b += 2;
		ns >>= 2;
	}
	if (ns >> 1) {
		b += 1;
		ns >>= 1;
	}
	b += ns;
	return b < DQ_DISPATCH_BUCKETS ? b : DQ_DISPATCH_BUCKETS - 1;
}

/*
 * A typed argument's address as a number, to hash: the verifier tracks it as a pointer and
 * refuses arithmetic on it, so read the raw argument from the program's context (the
 * tracepoint's array of u64 arguments) as plain memory. Only done for dio completions.
 */
static __u64 arg_address(const unsigned long long *ctx, unsigned int i)
{
	__u64 address = 0;

	bpf_probe_read_kernel(&address, sizeof(address), &ctx[i]);
	return address;
}

/* Fibonacci hashing of the work's address: the top bits pick the slot, lower ones the tag. */
static struct dq_stamp *stamp_slot(__u64 work, __u64 *tag)
{
	__u64 hash = work * 0x9e3779b97f4a7c15ULL;
	__u32 slot = hash >> (64 - DQ_STAMP_SLOT_BITS);

	/* Never 0, so that an empty slot matches no work. */
	*tag = ((hash >> 20) & DQ_STAMP_TAG_MASK) | 1;
	return bpf_map_lookup_elem(&stamps, &slot);
}

/* The work's stamp, taken once; false when it has none (queued before the program came). */
static bool stamp_take(__u64 work, __u64 now, __u64 *delay, __u64 *queue)
{
	struct dq_stamp *slot;
	__u64 tag, stamp;

	slot = stamp_slot(work, &tag);
	if (!slot)
		return false;
	stamp = slot->tagged_time;
	if ((stamp & DQ_STAMP_TAG_MASK) != tag)
		return false;
	*queue = slot->queue;
	if (__sync_val_compare_and_swap(&slot->tagged_time, stamp, 0) != stamp)
		return false;
	*delay = ((now & DQ_STAMP_TIME_MASK) - (stamp >> DQ_STAMP_TAG_BITS)) & DQ_STAMP_TIME_MASK;
	return true;
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(dq_queue_work, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	struct dq_stamp *slot;
	__u64 tag;

	if (!is_dio_completion(work->func))
		return 0;
	slot = stamp_slot(arg_address(ctx, 2), &tag);
	if (!slot)
		return 0;
	slot->queue = (__u64)pwq->wq;
	slot->tagged_time = (bpf_ktime_get_ns() & DQ_STAMP_TIME_MASK) << DQ_STAMP_TAG_BITS | tag;
	return 0;
}

/* The queue's name into the statistics, read only when it is another queue than last time. */
static void queue_name_update(struct dq_dispatch_stats *s, __u64 queue)
{
	const struct workqueue_struct *wq = (void *)queue;

	if (s->queue_source == queue)
		return;
	s->queue_source = queue;
	BPF_CORE_READ_STR_INTO(&s->queue, wq, name);
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(dq_execute_start, struct work_struct *work)
{
	__u64 now, address, delay, queue;
	struct iomap_dio___diowq *dio;
	struct dq_dispatch_stats *s;
	struct task_struct *task;
	struct dq_running *run;
	__u32 dev;

	/* Every work item of the system starts here: nothing before this test. */
	if (!is_dio_completion(work->func))
		return 0;
	now = bpf_ktime_get_ns();
	address = arg_address(ctx, 0);
	dio = dio_of(work);
	dev = dio_dev(dio);
	task = bpf_get_current_task_btf();
	run = bpf_task_storage_get(&running, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (run) {
		run->work = address;
		run->completing = address;
		run->started_ns = now;
		run->dev = dev;
	}
	s = stats_of(dev);
	if (!s)
		return 0;
	if (!stamp_take(address, now, &delay, &queue)) {
		__sync_fetch_and_add(&s->unmatched, 1);
		return 0;
	}
	queue_name_update(s, queue);
	__sync_fetch_and_add(&s->queued, 1);
	__sync_fetch_and_add(&s->delay_sum_ns, delay);
	__sync_fetch_and_add(&s->delay_hist[log2_bucket(delay)], 1);
	if (delay > s->delay_max_ns)
		s->delay_max_ns = delay;
	window_max_update(s, delay);
	s->worker_pid = task->pid;
	s->worker_nice = task->static_prio - DQ_NICE_0_PRIO;
	return 0;
}

/*
 * The work may be freed by now (the completion frees its dio): compare, never read it. A raw
 * tracepoint: the verifier refuses typed access to the function-pointer argument.
 */
SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(dq_execute_end, struct work_struct *work, void *function)
{
	struct dq_running *run;
	struct dq_dispatch_stats *s;

	if (!is_dio_completion(function))
		return 0;
	run = bpf_task_storage_get(&running, bpf_get_current_task_btf(), 0, 0);
	if (!run || run->work != (__u64)work)
		return 0;
	s = stats_of(run->dev);
	if (s)
		__sync_fetch_and_add(&s->run_sum_ns, bpf_ktime_get_ns() - run->started_ns);
	run->work = 0;
	run->completing = 0;
	return 0;
}

/*
 * Every dio completion ends here, however it ran: from a queue (iomap_dio_complete_work as a
 * work item), inline in the bio's end_io (7.x, pure overwrites: iomap_dio_complete_work called
 * directly, and inlined there by the compiler, so not seen by an fentry on it), or in the
 * submitting task (the last bio had ended before the submission returned; and synchronous
 * writes). A queued one is the work the current worker is running (struct dq_running),
 * counted at its start already; the rest of the writes ran without a queue. Reads complete
 * here too and are not counted. In an interrupt the current task is the one interrupted: its
 * entry names a work still running, which is not the completing dio (both are alive).
 */
SEC("fentry/iomap_dio_complete")
int BPF_PROG(dq_complete, struct iomap_dio___diowq *dio)
{
	struct dq_running *run;
	struct dq_dispatch_stats *s;

	/*
	 * The dio is the function's typed argument: a plain load, no helper
	 * call, tells a read (which completes here too) before the map lookup.
	 */
	if (!(dio->flags & DQ_IOMAP_DIO_WRITE))
		return 0;
	run = bpf_task_storage_get(&running, bpf_get_current_task_btf(), 0, 0);
	if (run && run->completing == (__u64)&dio->aio.work) {
		run->completing = 0;
		return 0;
	}
	s = stats_of(dio_dev(dio));
	if (s)
		__sync_fetch_and_add(&s->unqueued_writes, 1);
	return 0;
}
