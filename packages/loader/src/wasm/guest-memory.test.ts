import { describe, expect, test } from "bun:test";
import { WasmError } from "./errors.ts";
import { GuestMemory, i32, u32 } from "./guest-memory.ts";

const PAGE = 65536;

describe("GuestMemory", () => {
  test("views inside memory write through to it", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const mem = new GuestMemory(memory);
    mem.bytes(10, 3, "x", "call").set([1, 2, 3]);
    expect(Array.from(new Uint8Array(memory.buffer, 9, 5))).toEqual([0, 1, 2, 3, 0]);
    mem.write(PAGE - 2, new Uint8Array([7, 8]), "x", "call");
    expect(Array.from(new Uint8Array(memory.buffer, PAGE - 2, 2))).toEqual([7, 8]);
  });

  test("a range leaving memory is a one-line WasmError naming the call and the argument", () => {
    const mem = new GuestMemory(new WebAssembly.Memory({ initial: 1 }));
    expect(() => mem.bytes(PAGE - 2, 3, "key", "wasm_bpf_map_operate")).toThrow(
      new WasmError("wasm_bpf_map_operate: key at 0xfffe + 3 bytes is outside the module's 65536-byte memory"),
    );
    expect(() => mem.write(PAGE, new Uint8Array(1), "data buffer", "poll")).toThrow(WasmError);
    expect(() => mem.bytes(-1, 1, "p", "c")).toThrow(WasmError);
    expect(() => mem.bytes(0, 2 ** 31, "p", "c")).toThrow(WasmError);
  });

  test("growth is seen: the same object checks against the new size", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const mem = new GuestMemory(memory);
    expect(() => mem.bytes(PAGE, 8, "p", "c")).toThrow(WasmError);
    mem.write(0, new Uint8Array([1]), "p", "c"); // caches a view of the first buffer
    memory.grow(1);
    expect(mem.size).toBe(2 * PAGE);
    mem.write(PAGE + 4, new Uint8Array([9]), "p", "c");
    expect(new Uint8Array(memory.buffer)[PAGE + 4]).toBe(9);
  });

  test("C strings: read up to the NUL; a missing NUL or a null pointer is an error", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const mem = new GuestMemory(memory);
    new Uint8Array(memory.buffer).set(new TextEncoder().encode("rb\0"), 100);
    expect(mem.cString(100, "map name", "c")).toBe("rb");
    expect(() => mem.cString(0, "map name", "c")).toThrow("c: map name at 0x0 is outside the module's 65536-byte memory");
    new Uint8Array(memory.buffer).fill(65, PAGE - 10);
    expect(() => mem.cString(PAGE - 10, "name", "c")).toThrow("c: name at 0xfff6 has no terminating NUL within 10 bytes");
  });

  test("i32 arguments as unsigned pointers and signed integers", () => {
    expect(u32(-16)).toBe(0xfffffff0);
    expect(u32(5n)).toBe(5);
    expect(i32(0xffffffff)).toBe(-1);
    expect(i32(-4)).toBe(-4);
  });
});
