/**
 * One clear line for a program this kernel will not run: names the program, its
 * section (the kind) and why, derived from the kind and the errno.
 */
import { existsSync } from "node:fs";
import { Errno, errnoName } from "../errno.ts";
import { AttachError, LoadError, type LibbpfError } from "../errors.ts";
import type { ProgramKind } from "./program-kind.ts";

const { EPERM, ENOENT, ESRCH, ENODEV, EINVAL, EOPNOTSUPP, ENOTSUPP } = Errno;

/** Why `kind` failed to attach with `errno`, when the pair has a known meaning. */
export function attachRefusalReason(kind: ProgramKind, errno: number, kprobesAvailable: boolean): string | undefined {
  switch (kind) {
    case "kprobe":
    case "kretprobe":
      if (!kprobesAvailable) return "kprobes cannot attach on this kernel (CONFIG_KPROBES is off)";
      if (errno === ENOENT || errno === EINVAL) return "the kernel function does not exist or cannot be probed";
      return undefined;
    case "fentry":
    case "fexit":
    case "lsm":
      if (errno === EOPNOTSUPP || errno === ENOTSUPP || errno === EPERM) return `${kind} programs cannot attach on this kernel`;
      return undefined;
    case "uprobe":
    case "uretprobe":
      if (errno === ENOENT) return "the binary or the function does not exist";
      if (errno === ESRCH) return "no such process";
      return undefined;
    case "xdp":
    case "tc":
      if (errno === ENODEV) return "no such network interface";
      return undefined;
    default:
      return undefined;
  }
}

/** Why loading a program of `kind` failed with `errno`, when the pair has a known meaning. */
export function loadRefusalReason(kind: ProgramKind, errno: number): string | undefined {
  if ((kind === "fentry" || kind === "fexit" || kind === "lsm") && errno === EPERM) {
    return `the kernel refuses to load ${kind} programs here (EPERM)`;
  }
  return undefined;
}

/** Whether this kernel has kprobes at all (the kprobe PMU or tracefs kprobe_events exists). */
export function kprobesAvailable(): boolean {
  return ["/sys/bus/event_source/devices/kprobe", "/sys/kernel/tracing/kprobe_events", "/sys/kernel/debug/tracing/kprobe_events"]
    .some((p) => existsSync(p));
}

/** An AttachError whose message is exactly "program NAME (SECTION): REASON". */
export function refusedAttach(program: string, section: string, errno: number, reason: string, cause?: LibbpfError): AttachError {
  const err = new AttachError(`attach program '${program}' (${section})`, errno, { detail: reason, cause });
  err.message = `program ${program} (${section}): ${reason} [${errnoName(errno)}]`;
  return err;
}

/**
 * A LoadError whose message is exactly "program NAME (SECTION): REASON"; its errno is
 * EOPNOTSUPP (the kernel's EPERM is in the message and in `.cause`, which keeps the log).
 */
export function refusedLoad(program: string, section: string, reason: string, cause: LibbpfError): LoadError {
  const err = new LoadError(`load program '${program}' (${section})`, EOPNOTSUPP, { detail: reason, cause });
  err.message = `program ${program} (${section}): ${reason}`;
  return err;
}
