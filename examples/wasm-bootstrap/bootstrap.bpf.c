// SPDX-License-Identifier: MIT
/* Process exec and exit events, in the spirit of libbpf-bootstrap's bootstrap:
 * an exec reports the new image's file name; an exit reports the exit code and,
 * when the process was seen starting, how long it lived. Short-lived processes
 * can be hidden with min_duration_ns. (examples/bootstrap's program, its programs and
 * maps renamed wasm_* so the tests tell its kernel objects from bootstrap's.) */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bootstrap.bpf.h"

/// @brief   Trace process start and exit.
/// @details Prints one line per exec() and per process exit, with the filename,
/// the process's duration, PID, PPID and exit code.
/// @version 0.1
char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, pid_t);
	__type(value, u64);
} wasm_exec_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} wasm_rb SEC(".maps");

/// Minimum process duration (ns) to report; also hides exec events when set
/// @cmdarg {"default": 0, "short": "d", "long": "min-duration-ns"}
const volatile unsigned long long min_duration_ns = 0;
/// Report only this process (thread-group id; 0 traces every process)
/// @cmdarg {"default": 0, "short": "p", "long": "target-pid"}
const volatile int target_pid = 0;

SEC("tp/sched/sched_process_exec")
int wasm_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task;
	unsigned fname_off;
	struct event *e;
	pid_t pid;
	u64 ts;

	pid = bpf_get_current_pid_tgid() >> 32;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&wasm_exec_start, &pid, &ts, BPF_ANY);

	/* With a minimum duration set, exec events are not reported. */
	if (min_duration_ns)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	if (target_pid && BPF_CORE_READ(task, real_parent, tgid) != target_pid &&
	    pid != target_pid)
		return 0;

	e = bpf_ringbuf_reserve(&wasm_rb, sizeof(*e), 0);
	if (!e)
		return 0;

	e->exit_event = false;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = 0;
	e->duration_ns = 0;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	fname_off = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_str(&e->filename, sizeof(e->filename), (void *)ctx + fname_off);

	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int wasm_exit(struct trace_event_raw_sched_process_template *ctx)
{
	struct task_struct *task;
	struct event *e;
	pid_t pid, tid;
	u64 id, ts, *start_ts, duration_ns = 0;

	id = bpf_get_current_pid_tgid();
	pid = id >> 32;
	tid = (u32)id;

	/* Only whole processes, not their threads. */
	if (pid != tid)
		return 0;

	start_ts = bpf_map_lookup_elem(&wasm_exec_start, &pid);
	if (start_ts)
		duration_ns = bpf_ktime_get_ns() - *start_ts;
	else if (min_duration_ns)
		return 0;
	bpf_map_delete_elem(&wasm_exec_start, &pid);

	if (min_duration_ns && duration_ns < min_duration_ns)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	if (target_pid && BPF_CORE_READ(task, real_parent, tgid) != target_pid &&
	    pid != target_pid)
		return 0;

	e = bpf_ringbuf_reserve(&wasm_rb, sizeof(*e), 0);
	if (!e)
		return 0;

	e->exit_event = true;
	e->duration_ns = duration_ns;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	e->filename[0] = 0;

	bpf_ringbuf_submit(e, 0);
	return 0;
}
