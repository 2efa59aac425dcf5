import { expect, test } from "bun:test";
import { compileFixture } from "../fixtures/compile.ts";
import * as decoder from "./index.ts";

test("the entry point exposes the contract and runs the whole pipeline", () => {
  expect(decoder.EM_BPF).toBe(247);
  const elf = decoder.parseElf(compileFixture("kinds.bpf.c"));
  expect(elf.machine).toBe(decoder.EM_BPF);
  const btf = decoder.btfFromElf(elf);
  expect(btf).toBeInstanceOf(decoder.Btf);
  const inner = btf.find("inner", "struct")!;
  const bytes = new Uint8Array([0x90, 0x1f, 0x61, 0x62, 0, 0]);
  const value = decoder.createDecoder(btf, inner.id)(bytes);
  expect(value).toEqual({ port: 8080, tag: "ab" });
  expect(decoder.formatJson(value)).toBe('{"port":8080,"tag":"ab"}');
  expect(decoder.createJsonFormatter(btf, inner.id)(bytes)).toBe('{"port":8080,"tag":"ab"}');
  const t = new decoder.TextTable(["port", "tag"]);
  expect(t.row(new Date(2024, 0, 1, 23, 59, 58), value as Record<string, decoder.DecodedValue>)).toBe("23:59:58 8080   ab");
  expect(Array.from(decoder.encodeValue(btf, btf.find("small", "var")!.id, "0xff"))).toEqual([255]);
  expect(() => decoder.parseElf(new Uint8Array(0))).toThrow(decoder.ElfError);
  expect(new decoder.ElfError("x")).toBeInstanceOf(decoder.DecoderError);
  expect(new decoder.EncodeError("x").name).toBe("EncodeError");
});
