import { describe, expect, test } from "bun:test";
import { compileFixture } from "../../fixtures/compile.ts";
import { parseElf } from "../elf.ts";
import { btfFromElf } from "./parse.ts";
import { globalVariables } from "./global-variables.ts";

const elf = parseElf(compileFixture("kinds.bpf.c"));
const btf = btfFromElf(elf);

describe("globalVariables", () => {
  test("places .rodata variables at their ELF symbol offsets, not the object's zero DATASEC offsets", () => {
    const rodata = globalVariables(elf, btf).filter((v) => v.section === ".rodata");
    expect(rodata.map((v) => [v.name, v.offset, v.size])).toEqual([
      ["min_duration_ns", 0, 8],
      ["target_pid", 8, 4],
      ["comm_filter", 12, 16],
      ["verbose", 28, 1],
      ["ratio", 32, 4],
      ["ratio64", 40, 8],
      ["only_kind", 48, 4],
      ["big_mask", 64, 16],
      ["small", 80, 1],
      ["sshort", 82, 2],
      ["matrix", 84, 32],
    ]);
    expect(btf.typeName(rodata[1].typeId)).toBe("const volatile int");
  });

  test("every variable lies inside its section", () => {
    for (const v of globalVariables(elf, btf)) {
      const section = elf.section(v.section);
      if (!section) continue;
      expect(v.offset + v.size).toBeLessThanOrEqual(section.size);
    }
  });
});
