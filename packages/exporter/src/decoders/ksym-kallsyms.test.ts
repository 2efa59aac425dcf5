/** ksym against this kernel's own /proc/kallsyms (readable addresses need root). */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { compileChain } from "./registry.ts";
import { setKernelSymbols } from "./ksym.ts";

describe("decoder ksym on /proc/kallsyms", () => {
  test("vfs_read's address, and an address inside it, decode to vfs_read", () => {
    setKernelSymbols(undefined); // read the real table
    const line = readFileSync("/proc/kallsyms", "utf8").split("\n").find((l) => / [Tt] vfs_read$/.test(l));
    expect(line).toBeDefined();
    const address = BigInt(`0x${line!.split(" ")[0]}`);
    expect(address).toBeGreaterThan(0n); // zero means kptr_restrict hid it: run as root
    const decode = compileChain([{ name: "ksym", options: {} }]);
    for (const a of [address, address + 4n]) {
      const out = decode(new Uint8Array(new BigUint64Array([a]).buffer));
      expect(new TextDecoder().decode(out!)).toBe("vfs_read");
    }
  });
});
