import { afterEach, describe, expect, test } from "bun:test";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { kernelObjects, newSince, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import type { BpfObject } from "./bpf-object.ts";
import { openObject } from "./open-object.ts";

const opened: BpfObject[] = [];
afterEach(() => {
  for (const obj of opened.splice(0)) obj.close();
});

/** The kill-echo fixture counting this process's kill(2) calls in `.bss` `seq`. */
function killCounter(name: string): BpfObject {
  const obj = openObject(compileFixture("kill-echo"), { name });
  opened.push(obj);
  const tgid = new Uint8Array(4);
  new DataView(tgid.buffer).setUint32(0, process.pid, true);
  obj.writeSection(".rodata", 0, tgid);
  obj.load();
  return obj;
}

const seq = (obj: BpfObject) => new DataView(obj.readSection(".bss", 0, 4).buffer).getUint32(0, true);
const kills = (n: number) => {
  for (let i = 0; i < n; i++) process.kill(process.pid, 0);
};

describe("BpfObject.detachAllAsync", () => {
  test("detaches tracepoint links off the JS thread: the event loop runs meanwhile, the program stops counting, nothing is left", async () => {
    const before = kernelObjects("ldr_");
    const obj = killCounter("ldr_kill_async");
    obj.attachAll();
    const ours = newSince(before, kernelObjects("ldr_"));
    expect(ours.links.length).toBe(1);
    kills(3);
    expect(seq(obj)).toBe(3);

    // Closing a tracepoint link waits out an RCU tasks-trace grace period in the kernel
    // (tens of ms); a main thread blocked in close() would run no timer until it returns.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const detaching = obj.detachAllAsync();
    let settled = false;
    void detaching.then(() => (settled = true));
    await Bun.sleep(0);
    expect(settled).toBe(false);
    await detaching;
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);

    // Detached, still loaded: kills no longer count, the maps keep their contents.
    expect(newSince(before, kernelObjects("ldr_")).links).toEqual([]);
    kills(2);
    expect(seq(obj)).toBe(3);
    // It can be attached again (what resume does), then released for good.
    obj.attachAll();
    kills(1);
    expect(seq(obj)).toBe(4);
    obj.close();
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("links of several objects are destroyed together, and the object closes cleanly after", async () => {
    const before = kernelObjects("ldr_");
    const objs = [killCounter("ldr_kill_a"), killCounter("ldr_kill_b"), killCounter("ldr_kill_c")];
    for (const obj of objs) obj.attachAll();
    const ours = newSince(before, kernelObjects("ldr_"));
    expect(ours.links.length).toBe(3);
    kills(1);
    expect(objs.map(seq)).toEqual([1, 1, 1]);
    await Promise.all(objs.map((obj) => obj.detachAllAsync()));
    expect(newSince(before, kernelObjects("ldr_")).links).toEqual([]);
    kills(1);
    expect(objs.map(seq)).toEqual([1, 1, 1]);
    // Nothing attached: detaching again is a no-op, and close() releases the rest.
    await objs[0].detachAllAsync();
    for (const obj of objs) obj.close();
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
  });

  test("close() while the links are being destroyed releases everything once they are gone", async () => {
    const before = kernelObjects("ldr_");
    const obj = killCounter("ldr_kill_early");
    obj.attachAll();
    const ours = newSince(before, kernelObjects("ldr_"));
    const detaching = obj.detachAllAsync();
    obj.close(); // the links are no longer the object's: it closes its maps and programs now
    await detaching;
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
  });
});
