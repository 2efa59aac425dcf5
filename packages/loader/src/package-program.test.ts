import { describe, expect, test } from "bun:test";
import { eventEchoPackage, writeTempPackage } from "../fixtures/fixture-package.ts";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { openPackage } from "./package-program.ts";
import { PackageError } from "./package/package-error.ts";
import { GlobalValueError } from "./program-globals.ts";

describe("openPackage (pure: no kernel)", () => {
  test("lists globals with C types, offsets, defaults and current values", async () => {
    const program = await openPackage(eventEchoPackage());
    expect(program.name).toBe("ldr_event_echo");
    expect(program.globals.map(({ typeId: _t, ...g }) => g)).toEqual([
      { name: "target_tgid", cType: "unsigned int", section: ".rodata", offset: 0, size: 4, description: "process whose kill(2) calls are reported", value: 0 },
      { name: "cookie", cType: "unsigned long long", section: ".rodata", offset: 8, size: 8, description: "copied into every event", default: 7n, value: 7n },
      { name: "tag", cType: "char[8]", section: ".rodata", offset: 16, size: 8, value: "none" },
      { name: "seq", cType: "unsigned int", section: ".bss", offset: 0, size: 4, value: 0 },
    ]);
  });

  test("setGlobal takes every form of an integer and checks its C range", async () => {
    const program = await openPackage(eventEchoPackage());
    program.setGlobal("target_tgid", 4294967295).setGlobal("cookie", "0xffffffffffffffff");
    expect(program.globals.map((g) => g.value)).toEqual([4294967295, 18446744073709551615n, "none", 0]);
    program.setGlobal("cookie", 5n).setGlobal("tag", "ok");
    expect(program.globals[1]).toMatchObject({ default: 7n, value: 5n });
    const tooBig = (() => { try { program.setGlobal("target_tgid", 4294967296); } catch (e) { return e; } })();
    expect(tooBig).toBeInstanceOf(GlobalValueError);
    expect((tooBig as GlobalValueError).message).toBe("global target_tgid: cannot encode 4294967296 as __u32: out of range 0..4294967295");
    expect(tooBig).toMatchObject({ global: "target_tgid", cType: "unsigned int" });
    expect(() => program.setGlobal("cookie", -1n)).toThrow("global cookie: cannot encode -1n as __u64: out of range 0..18446744073709551615");
    expect(() => program.setGlobal("target_tgid", 1.5)).toThrow("global target_tgid: cannot encode 1.5 as __u32: not an integer (decimal or 0x hex)");
    expect(() => program.setGlobal("tag", "12345678")).toThrow("global tag: cannot encode \"12345678\" as char[8]: 8 bytes, at most 7 fit");
    expect(() => program.setGlobal("nope", 1)).toThrow("global nope: no such global (globals: target_tgid, cookie, tag, seq)");
    expect(() => program.setGlobal("cookie", null as unknown as number)).toThrow("global cookie: expected a string, number, bigint or boolean, not null");
    // A rejected value leaves the earlier one in place.
    expect(program.globals.map((g) => g.value)).toEqual([4294967295, 5n, "ok", 0]);
  });

  test("reads a path, JSON bytes and JSON text alike", async () => {
    const text = eventEchoPackage();
    const path = writeTempPackage("event-echo", text);
    for (const input of [path, new TextEncoder().encode(text), text]) {
      expect((await openPackage(input)).globals.length).toBe(4);
    }
  });

  test("bad input is a one-line PackageError", async () => {
    const cases: [Uint8Array | string, string][] = [
      ["/nonexistent/pkg.json", "package: cannot read /nonexistent/pkg.json (ENOENT)"],
      ["{ not json", "package: invalid JSON"],
      [compileFixture("event-echo"), "package: this is a plain BPF object, not a package (build one with `ecli build`)"],
    ];
    const meta = JSON.parse(eventEchoPackage());
    meta.meta.bpf_skel.data_sections[0].variables.push({ name: "missing", type: "int" });
    cases.push([JSON.stringify(meta), "package: meta names variable missing in .rodata, but the object has no such variable"]);
    const badDefault = JSON.parse(eventEchoPackage());
    badDefault.meta.bpf_skel.data_sections[0].variables[0].cmdarg = { default: -1 };
    cases.push([JSON.stringify(badDefault), "package: default of target_tgid does not fit unsigned int"]);
    const badType = JSON.parse(eventEchoPackage());
    badType.meta.export_types[0].members.pop();
    badType.meta.export_types[0].type_id = 1;
    cases.push([JSON.stringify(badType), "package: export type echo_event is not a struct of 5 members in the object's BTF"]);
    for (const [input, message] of cases) {
      const error = await openPackage(input).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PackageError);
      expect((error as Error).message.slice(0, message.length)).toBe(message);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});
