import { describe, expect, test } from "bun:test";
import { errnoName, errnoText } from "./errno.ts";
import { AttachError, failedProgram, LibbpfError, LoadError, logTail, OpenError } from "./errors.ts";

describe("errno names", () => {
  test("known values by number, sign ignored; unknown ones spelled as numbers", () => {
    expect(errnoName(13)).toBe("EACCES");
    expect(errnoName(-22)).toBe("EINVAL");
    expect(errnoName(4007)).toBe("LIBBPF_ERRNO__VERIFY");
    expect(errnoText(1)).toBe("operation not permitted");
    expect(errnoName(9999)).toBe("E9999");
    expect(errnoText(9999)).toBe("error 9999");
  });
});

describe("LibbpfError and subclasses", () => {
  test("carry op, positive errno, its name, detail and cause", () => {
    const cause = new Error("inner");
    const e = new AttachError("attach program 'p' (kprobe/x)", -95, { detail: "no kprobes", cause });
    expect(e).toBeInstanceOf(LibbpfError);
    expect(e.name).toBe("AttachError");
    expect(e.errno).toBe(95);
    expect(e.errnoName).toBe("EOPNOTSUPP");
    expect(e.message).toBe("attach program 'p' (kprobe/x): EOPNOTSUPP (operation not supported): no kprobes");
    expect(e.cause).toBe(cause);
    expect(e.log).toBeUndefined();
    expect(new OpenError("open object", 4001).message).toBe("open object: LIBBPF_ERRNO__FORMAT (BPF object format invalid)");
  });

  test("LoadError keeps the whole log but shows only its last 15 non-empty lines", () => {
    const log = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n\n");
    const e = new LoadError("load object 'x'", 13, { log });
    expect(e.log).toBe(log);
    const lines = e.message.split("\n");
    expect(lines[0]).toBe("load object 'x': EACCES (permission denied)");
    expect(lines.slice(1)).toEqual(Array.from({ length: 15 }, (_, i) => `line ${i + 25}`));
    expect(new LoadError("load object 'x'", 13).message).toBe("load object 'x': EACCES (permission denied)");
  });

  test("a LoadError names the program libbpf reports as failing", () => {
    const log = "libbpf: prog 'count_exec': BPF program load failed: Permission denied\nlibbpf: prog 'count_exec': -- BEGIN PROG LOAD LOG --\nR0 invalid mem access 'map_value_or_null'\n";
    const e = new LoadError("load object 'x'", 13, { log });
    expect(e.program).toBe("count_exec");
    expect(e.message.split("\n")[0]).toBe("load object 'x': EACCES (permission denied): program 'count_exec' was rejected");
    expect(failedProgram("libbpf: map 'rb': failed to create: Invalid argument")).toBeUndefined();
    expect(new LoadError("load", 22, { log: "" }).program).toBeUndefined();
  });

  test("logTail of short and empty logs", () => {
    expect(logTail("a\nb\n", 15)).toBe("a\nb");
    expect(logTail("", 15)).toBe("");
  });
});
