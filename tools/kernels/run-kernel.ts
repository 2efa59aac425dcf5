/**
 * Runs the matrix driver on one kernel and returns its output: natively under busybox sh,
 * or in a QEMU guest booted from the kernel image with the initramfs made by
 * make-initramfs.sh. A run that overstays its timeout is killed (by its pid) and its
 * output so far is returned with `timedOut` set.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MatrixKernel } from "./kernels.ts";

const HERE = import.meta.dir;

export interface KernelOutput {
  text: string;
  seconds: number;
  timedOut: boolean;
  exitCode: number | null;
}

/** The files a run needs: the ecli binary, and a directory holding driver.sh and packages/. */
export interface Payload {
  ecli: string;
  dir: string;
}

/** Runs `argv`, collecting stdout and stderr together, killed after `timeoutSeconds`. */
async function runWithTimeout(argv: string[], env: Record<string, string>, timeoutSeconds: number): Promise<KernelOutput & { stdout: string }> {
  const started = performance.now();
  const proc = Bun.spawn(argv, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutSeconds * 1000);
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { text: stdout + stderr, stdout, seconds: (performance.now() - started) / 1000, timedOut, exitCode };
}

/** A directory of busybox applet links, so triggers run the same programs (and comm names) as in the guest. */
function busyboxBin(root: string): string {
  const bin = join(root, "bin");
  mkdirSync(bin);
  for (const applet of ["sh", "false", "unlink", "touch", "mkdir", "dd", "nc", "sleep", "grep", "cut", "sed", "tr", "sort"]) symlinkSync("/bin/busybox", join(bin, applet));
  return bin;
}

/** Runs the driver on this machine's kernel. */
export async function runNative(kernel: MatrixKernel, payload: Payload): Promise<KernelOutput> {
  const root = mkdtempSync(join(tmpdir(), "kcheck-native-"));
  try {
    const bin = busyboxBin(root);
    const env = { ...process.env, ECLI: payload.ecli, PKGS: join(payload.dir, "packages"), BIN: bin, WORK: join(root, "work"), PATH: `${bin}:${process.env.PATH}` } as Record<string, string>;
    const out = await runWithTimeout([join(bin, "sh"), "-c", `echo "KCHECK-BOOTED $(uname -r)"; sh ${join(payload.dir, "driver.sh")}; echo KCHECK-DONE`], env, kernel.timeoutSeconds);
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Boots the kernel in QEMU with the payload in its initramfs; the guest powers itself off. */
export async function runGuest(kernel: MatrixKernel, payload: Payload): Promise<KernelOutput> {
  const work = mkdtempSync(join(tmpdir(), "kcheck-guest-"));
  try {
    const started = performance.now();
    const prepare = await runWithTimeout(["bash", join(HERE, "prepare-kernel.sh"), kernel.image], process.env as Record<string, string>, 300);
    // The path is the last line of stdout (apt-get's progress goes to stderr).
    const vmlinuz = prepare.stdout.trim().split("\n").pop() ?? "";
    if (prepare.exitCode !== 0) return { ...prepare, text: `prepare-kernel.sh failed:\n${prepare.text}` };
    const initrd = join(work, "initrd.cpio");
    const image = await runWithTimeout(["bash", join(HERE, "make-initramfs.sh"), payload.ecli, payload.dir, initrd], process.env as Record<string, string>, 120);
    if (image.exitCode !== 0) return { ...image, text: `make-initramfs.sh failed:\n${image.text}` };
    const append = "console=ttyS0 lsm=lockdown,capability,yama,bpf panic=-1 quiet loglevel=1";
    const qemu = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "2048", "-smp", "2", "-nographic", "-no-reboot",
      "-kernel", vmlinuz, "-initrd", initrd, "-append", append];
    const remaining = kernel.timeoutSeconds - (performance.now() - started) / 1000;
    const boot = await runWithTimeout(qemu, process.env as Record<string, string>, Math.max(remaining, 30));
    return { ...boot, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the driver on `kernel`, natively or in QEMU. */
export function runKernel(kernel: MatrixKernel, payload: Payload): Promise<KernelOutput> {
  return kernel.image === "native" ? runNative(kernel, payload) : runGuest(kernel, payload);
}
