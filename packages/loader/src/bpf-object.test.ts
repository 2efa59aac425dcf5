import { afterEach, describe, expect, test } from "bun:test";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { kernelObjects, newSince, remainingAfterRelease } from "../fixtures/kernel-objects.ts";
import type { BpfObject } from "./bpf-object.ts";
import { AttachError, LibbpfError, LoadError, OpenError } from "./errors.ts";
import { setFormatBufferSize } from "./ffi/print-capture.ts";
import { openObject } from "./open-object.ts";

// Every object a test opens is closed here even when an assertion fails first.
const opened: BpfObject[] = [];
function open(fixture: string, name: string): BpfObject {
  const obj = openObject(compileFixture(fixture), { name });
  opened.push(obj);
  return obj;
}
afterEach(() => {
  for (const obj of opened.splice(0)) obj.close();
});

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("openObject", () => {
  test("lists programs with their sections and maps with their shapes", () => {
    const obj = open("kill-echo", "ldr_kill_echo");
    expect(obj.name).toBe("ldr_kill_echo");
    expect(obj.programs()).toEqual([{ name: "ldr_kill_echo", section: "tracepoint/syscalls/sys_enter_kill" }]);
    expect(obj.maps()).toEqual([
      { name: "ldr_events", type: 27, keySize: 0, valueSize: 0, maxEntries: 16384 },
      { name: "ldr_kill.rodata", type: 2, keySize: 4, valueSize: 16, maxEntries: 1 },
      { name: "ldr_kill.bss", type: 2, keySize: 4, valueSize: 4, maxEntries: 1 },
    ]);
  });

  test("bytes that are not an ELF give an OpenError with libbpf's reason", () => {
    const error = thrown(() => openObject(new TextEncoder().encode("not an elf at all"), { name: "ldr_bad" }));
    expect(error).toBeInstanceOf(OpenError);
    const e = error as OpenError;
    expect(e.op).toBe("open object 'ldr_bad'");
    expect(e.errnoName).toBe("LIBBPF_ERRNO__FORMAT");
    expect(e.message).toBe("open object 'ldr_bad': LIBBPF_ERRNO__FORMAT (BPF object format invalid)");
    expect(e.log).toContain("ldr_bad");
  });

  test("empty input and a bad name are refused before libbpf sees them", () => {
    const empty = thrown(() => openObject(new Uint8Array(0)));
    expect(empty).toBeInstanceOf(OpenError);
    expect((empty as OpenError).message).toBe("open object: EINVAL (invalid argument): the object is empty");
    const badName = thrown(() => openObject(compileFixture("kill-echo"), { name: "a\0b" }));
    expect((badName as OpenError).errnoName).toBe("EINVAL");
  });
});

describe("writeSection", () => {
  test("rejects unknown maps, out-of-range writes and writes after load", () => {
    const obj = open("kill-echo", "ldr_kill_echo");
    const unknown = thrown(() => obj.writeSection(".data", 0, u32(1))) as LibbpfError;
    expect(unknown).toBeInstanceOf(LibbpfError);
    expect(unknown.errnoName).toBe("ENOENT");
    expect(unknown.message).toContain("maps: ldr_events, ldr_kill.rodata, ldr_kill.bss");
    const range = thrown(() => obj.writeSection(".rodata", 14, u32(1))) as LibbpfError;
    expect(range.errnoName).toBe("ERANGE");
    expect(range.message).toContain("offset 14 + 4 bytes is outside the section's 16 bytes");
    // Only section names (leading ".") match by suffix.
    expect((thrown(() => obj.writeSection("rodata", 0, u32(1))) as LibbpfError).errnoName).toBe("ENOENT");
    const notData = thrown(() => obj.writeSection("ldr_events", 0, u32(1))) as LibbpfError;
    expect(notData.errnoName).toBe("EINVAL");
    obj.writeSection(".rodata", 12, u32(7));
    obj.load();
    const late = thrown(() => obj.writeSection(".rodata", 0, u32(1))) as LibbpfError;
    expect(late.errnoName).toBe("EBUSY");
  });
});

describe("load", () => {
  test("a program the verifier rejects gives a LoadError carrying the verifier log", () => {
    const obj = open("verifier-reject", "ldr_reject");
    const error = thrown(() => obj.load());
    expect(error).toBeInstanceOf(LoadError);
    const e = error as LoadError;
    expect(["EACCES", "EINVAL"]).toContain(e.errnoName);
    expect(e.log).toContain("invalid mem access 'map_value_or_null'");
    expect(e.log).toContain("-- BEGIN PROG LOAD LOG --");
    const [first, ...tail] = e.message.split("\n");
    expect(first).toBe(`load object 'ldr_reject': ${e.errnoName} (${e.errnoName === "EACCES" ? "permission denied" : "invalid argument"}): program 'ldr_unchecked' was rejected`);
    expect(e.program).toBe("ldr_unchecked");
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.length).toBeLessThanOrEqual(15);
    expect(e.message).toContain("invalid mem access");
  });

  test("a log longer than the format buffer is captured whole (va_list replay)", () => {
    const full = (thrown(() => open("verifier-reject", "ldr_reject").load()) as LoadError).log ?? "";
    setFormatBufferSize(16);
    try {
      const small = (thrown(() => open("verifier-reject", "ldr_reject").load()) as LoadError).log ?? "";
      // Map/prog addresses differ between loads; compare with hex addresses masked.
      const mask = (s: string) => s.replace(/0x[0-9a-f]+/g, "0x?").replace(/'[0-9a-f]+-\d+'/g, "'obj'");
      expect(mask(small)).toBe(mask(full));
      expect(small).toContain("invalid mem access 'map_value_or_null'");
    } finally {
      setFormatBufferSize(4096);
    }
  });
});

describe("attachAll and close", () => {
  test("an attach failure names program and section and undoes the links made so far", () => {
    const obj = open("attach-missing", "ldr_attach");
    obj.load();
    const error = thrown(() => obj.attachAll());
    expect(error).toBeInstanceOf(AttachError);
    const e = error as AttachError;
    expect(e.op).toBe("attach program 'ldr_attach_bad' (tracepoint/syscalls/sys_enter_no_such_call)");
    expect(e.errnoName).toBe("ENOENT");
    expect(e.log).toContain("sys_enter_no_such_call");
    const live = kernelObjects("ldr_attach");
    expect(live.progs.length).toBe(2);
    expect(live.links).toEqual([]);
  });

  test("close() twice is safe and later calls say the object is closed", () => {
    const obj = open("kill-echo", "ldr_kill_echo");
    obj.load();
    obj.close();
    obj.close();
    const error = thrown(() => obj.mapFd("ldr_events")) as LibbpfError;
    expect(error.errnoName).toBe("EBADF");
    expect(error.message).toBe("map fd of 'ldr_events': EBADF (bad file descriptor): object 'ldr_kill_echo' is closed");
    expect(() => obj.load()).toThrow("is closed");
  });

  test("attachAll twice is refused instead of attaching every program again", () => {
    const obj = open("kill-echo", "ldr_kill_echo");
    obj.load();
    obj.attachAll();
    const again = thrown(() => obj.attachAll()) as LibbpfError;
    expect(again.message).toBe("attach programs: EBUSY (device or resource busy): the programs are already attached");
    expect(kernelObjects("ldr_kill_echo").links.length).toBe(1);
  });

  test("mapFd before load is an error, after load a descriptor", () => {
    const obj = open("kill-echo", "ldr_kill_echo");
    expect((thrown(() => obj.mapFd("ldr_events")) as LibbpfError).op).toBe("map fd of 'ldr_events'");
    expect((thrown(() => obj.mapFd("ldr_events")) as LibbpfError).errnoName).toBe("EINVAL");
    obj.load();
    expect(obj.mapFd("ldr_events")).toBeGreaterThan(2);
    expect(obj.mapFd(".bss")).toBeGreaterThan(2);
  });

  test("load + attach + close leaves no program, map or link behind", async () => {
    const before = kernelObjects("ldr_");
    const obj = open("kill-echo", "ldr_kill_echo");
    obj.load();
    obj.attachAll();
    const during = kernelObjects("ldr_");
    const ours = newSince(before, during);
    expect(ours.progs.length).toBe(1);
    expect(ours.maps.length).toBe(3); // ldr_events, ldr_kill.rodata, ldr_kill.bss
    expect(ours.links.length).toBe(1);
    obj.close();
    expect(await remainingAfterRelease(ours)).toEqual({ progs: [], maps: [], links: [] });
    expect(kernelObjects("ldr_").progs).toEqual(before.progs);
  });

  test("an object dropped without close() is released by the finalization backstop", async () => {
    const attachDropped = () => {
      const obj = openObject(compileFixture("kill-echo"), { name: "ldr_dropped" });
      obj.load();
      obj.attachAll();
    };
    attachDropped();
    const live = () => kernelObjects("ldr_kill_echo");
    expect(live().progs.length).toBe(1);
    expect(live().links.length).toBe(1);
    for (let i = 0; i < 100 && live().progs.length > 0; i++) {
      Bun.gc(true);
      await Bun.sleep(20);
    }
    expect(live()).toMatchObject({ progs: [], links: [] });
  });
});
