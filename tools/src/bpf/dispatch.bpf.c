// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatch latency of direct-I/O write completions, per filesystem and CPU, without the module.
 *
 * An async O_DIRECT write through iomap completes in iomap_dio_complete_work(): queued on the
 * superblock's s_dio_done_wq (ours when diowq tuned it), or, on 7.x for a pure overwrite, called
 * inline from the bio's end_io. Three BTF-typed tracepoints see the queued ones:
 * workqueue_queue_work stamps the work with the time and its queue's name, workqueue_execute_start
 * takes the stamp and accounts the delay on the CPU that runs it, workqueue_execute_end adds how
 * long it ran. fentry on iomap_dio_complete_work counts every write completion, queued or not.
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

struct dq_stamp {
	__u64 queued_ns;
	char queue[DQ_DISPATCH_QUEUE_LEN];
};

/* Queued works not yet started, by address: far more than are ever in flight. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct dq_stamp);
} stamps SEC(".maps");

/* The completion work running on this CPU, for its run time. */
struct dq_running {
	__u64 work;
	__u64 started_ns;
	__u32 dev;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dq_running);
} running SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct dq_dispatch_key);
	__type(value, struct dq_dispatch_stats);
} stats SEC(".maps");

/*
 * The largest delay since user space last took it (it deletes the entry): a window's maximum,
 * kept apart from the counters so that taking it never loses a count.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct dq_dispatch_key);
	__type(value, __u64);
} window_max SEC(".maps");

static bool is_dio_completion(const void *func)
{
	return &iomap_dio_complete_work && func == &iomap_dio_complete_work;
}

/*
 * The filesystem of a completion's dio; valid until the work has run. 0 (no
 * filesystem) on a kernel whose BTF lacks struct iomap_dio: the check is a
 * constant after relocation, so the reads below are not even loaded there.
 */
static __u32 dio_dev(const struct work_struct *work, unsigned int *flags)
{
	struct iomap_dio___diowq *dio;

	if (!bpf_core_type_exists(struct iomap_dio___diowq))
		return 0;
	dio = (void *)work - bpf_core_field_offset(struct iomap_dio___diowq, aio.work);
	if (flags)
		*flags = BPF_CORE_READ(dio, flags);
	return BPF_CORE_READ(dio, iocb, ki_filp, f_inode, i_sb, s_dev);
}

static struct dq_dispatch_key key_of(__u32 dev)
{
	struct dq_dispatch_key key = { .cpu = bpf_get_smp_processor_id(), .dev = dev };

	return key;
}

static void window_max_update(__u32 dev, __u64 delay)
{
	struct dq_dispatch_key key = key_of(dev);
	__u64 *max = bpf_map_lookup_elem(&window_max, &key);

	if (!max)
		bpf_map_update_elem(&window_max, &key, &delay, BPF_NOEXIST);
	else if (delay > *max)
		*max = delay;
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

static unsigned int log2_bucket(__u64 ns)
{
	unsigned int b = 0;

	/* fls64: the index of the highest bit set, 1-based; 0 for 0. */
	for (int i = 0; i < 64 && ns; i++) {
		ns >>= 1;
		b++;
	}
	return b < DQ_DISPATCH_BUCKETS ? b : DQ_DISPATCH_BUCKETS - 1;
}

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(dq_queue_work, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	struct dq_stamp stamp = {};
	__u64 key = (__u64)work;

	if (!is_dio_completion(BPF_CORE_READ(work, func)))
		return 0;
	stamp.queued_ns = bpf_ktime_get_ns();
	BPF_CORE_READ_STR_INTO(&stamp.queue, pwq, wq, name);
	bpf_map_update_elem(&stamps, &key, &stamp, BPF_ANY);
	return 0;
}

SEC("tp_btf/workqueue_execute_start")
int BPF_PROG(dq_execute_start, struct work_struct *work)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u64 now = bpf_ktime_get_ns(), key = (__u64)work, delay;
	struct dq_dispatch_stats *s;
	struct dq_running *run;
	struct dq_stamp *stamp;
	__u32 zero = 0, dev;

	if (!is_dio_completion(BPF_CORE_READ(work, func)))
		return 0;
	dev = dio_dev(work, NULL);
	s = stats_of(dev);
	if (!s)
		return 0;
	stamp = bpf_map_lookup_elem(&stamps, &key);
	if (!stamp) {
		__sync_fetch_and_add(&s->unmatched, 1);
		return 0;
	}
	delay = now - stamp->queued_ns;
	__builtin_memcpy(s->queue, stamp->queue, sizeof(s->queue));
	bpf_map_delete_elem(&stamps, &key);

	__sync_fetch_and_add(&s->queued, 1);
	__sync_fetch_and_add(&s->delay_sum_ns, delay);
	__sync_fetch_and_add(&s->delay_hist[log2_bucket(delay)], 1);
	if (delay > s->delay_max_ns)
		s->delay_max_ns = delay;
	window_max_update(dev, delay);
	s->worker_pid = BPF_CORE_READ(task, pid);
	s->worker_nice = BPF_CORE_READ(task, static_prio) - DQ_NICE_0_PRIO;

	run = bpf_map_lookup_elem(&running, &zero);
	if (run) {
		run->work = key;
		run->started_ns = now;
		run->dev = dev;
	}
	return 0;
}

/*
 * The work may be freed by now (the completion frees its dio): compare, never read it. A raw
 * tracepoint: the verifier refuses typed access to the function-pointer argument.
 */
SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(dq_execute_end, struct work_struct *work, void *function)
{
	struct dq_dispatch_stats *s;
	struct dq_running *run;
	__u32 zero = 0;

	if (!is_dio_completion(function))
		return 0;
	run = bpf_map_lookup_elem(&running, &zero);
	if (!run || run->work != (__u64)work)
		return 0;
	s = stats_of(run->dev);
	if (s)
		__sync_fetch_and_add(&s->run_sum_ns, bpf_ktime_get_ns() - run->started_ns);
	run->work = 0;
	return 0;
}

/* Every dio completion, queued or inline; reads complete here too, so count writes only. */
SEC("fentry/iomap_dio_complete_work")
int BPF_PROG(dq_complete, struct work_struct *work)
{
	struct dq_dispatch_stats *s;
	unsigned int flags = 0;
	__u32 dev = dio_dev(work, &flags);

	if (!(flags & DQ_IOMAP_DIO_WRITE))
		return 0;
	s = stats_of(dev);
	if (s)
		__sync_fetch_and_add(&s->completed, 1);
	return 0;
}
