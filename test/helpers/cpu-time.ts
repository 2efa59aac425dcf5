/** CPU time a process uses, read from /proc, for tests that prove an idle process sleeps. */

/** utime + stime of `pid`, in seconds (USER_HZ is 100 on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const text = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds `pid` uses during the next `ms` milliseconds. */
export async function cpuSecondsOver(pid: number, ms: number): Promise<number> {
  const start = await cpuSeconds(pid);
  await Bun.sleep(ms);
  return (await cpuSeconds(pid)) - start;
}
