import { describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createJsonWriter, type Btf, btfFromElf, parseElf } from "@eunomia/decoder";
import { JsonLineOutput, OutputClosedError, stdoutSink } from "./json-line-output.ts";

/** A struct event { int pid; char comm[16]; unsigned long long ts; } compiled with clang. */
function eventBtf(): { btf: Btf; id: number } {
  const dir = mkdtempSync(join(tmpdir(), "jlo-"));
  const src = join(dir, "e.bpf.c");
  writeFileSync(src, "struct event { int pid; char comm[16]; unsigned long long ts; };\nstruct event *keep;\n");
  const r = Bun.spawnSync(["clang-19", "-g", "-O2", "-target", "bpf", "-c", src, "-o", join(dir, "e.o")]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  const btf = btfFromElf(parseElf(new Uint8Array(readFileSync(join(dir, "e.o")))));
  rmSync(dir, { recursive: true, force: true });
  return { btf, id: btf.find("event", "struct")!.id };
}

const { btf, id } = eventBtf();
const writeJson = createJsonWriter(btf, id);

function record(i: number, comm = `task-${i}`): Uint8Array {
  const rec = new Uint8Array(32);
  const dv = new DataView(rec.buffer);
  dv.setInt32(0, i, true);
  rec.set(new TextEncoder().encode(comm).subarray(0, 15), 4);
  dv.setBigUint64(24, BigInt(i) * 1_000_000_007n, true);
  return rec;
}

const line = (i: number, comm = `task-${i}`) => `{"pid":${i},"comm":${JSON.stringify(comm)},"ts":${BigInt(i) * 1_000_000_007n}}\n`;

describe("JsonLineOutput", () => {
  test("one write per full buffer, every line whole and in order", async () => {
    const chunks: Uint8Array[] = [];
    const out = new JsonLineOutput((c) => void chunks.push(c.slice()), 256);
    let want = "";
    for (let i = 0; i < 100; i++) {
      out.add(writeJson, record(i), 0);
      want += line(i);
    }
    await out.flush();
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(256);
      expect(c[c.length - 1]).toBe(10); // chunks end on a line boundary
    }
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe(want);
    const n = chunks.length;
    await out.flush(); // nothing buffered: no write
    expect(chunks.length).toBe(n);
  });

  test("an asynchronous write never sees its chunk change, and order is kept", async () => {
    const seen: { chunk: Uint8Array; copy: string }[] = [];
    const out = new JsonLineOutput(async (c) => {
      const copy = new TextDecoder().decode(c);
      await Bun.sleep(1);
      seen.push({ chunk: c, copy });
    }, 128);
    let want = "";
    for (let i = 0; i < 60; i++) {
      out.add(writeJson, record(i), 0);
      want += line(i);
    }
    await out.flush();
    for (const s of seen) expect(new TextDecoder().decode(s.chunk)).toBe(s.copy);
    expect(seen.map((s) => s.copy).join("")).toBe(want);
  });

  test("a line longer than the buffer gets a buffer of its own", async () => {
    const chunks: string[] = [];
    const out = new JsonLineOutput((c) => void chunks.push(new TextDecoder().decode(c)), 8);
    out.add(writeJson, record(7, "a\"b\\c\n"), 0);
    out.add(writeJson, record(8), 0);
    await out.flush();
    expect(chunks.join("")).toBe(line(7, "a\"b\\c\n") + line(8));
  });

  test("a failed write surfaces at flush", async () => {
    const out = new JsonLineOutput(() => {
      throw new OutputClosedError("gone");
    }, 64);
    for (let i = 0; i < 5; i++) out.add(writeJson, record(i), 0);
    await expect(out.flush()).rejects.toThrow(OutputClosedError);
  });

  test("bad capacity is a RangeError", () => {
    expect(() => new JsonLineOutput(() => {}, 0)).toThrow(RangeError);
  });

  test("stdoutSink writes every byte to a file descriptor", async () => {
    const path = join(tmpdir(), `jlo-out-${process.pid}`);
    const fd = openSync(path, "w");
    const out = new JsonLineOutput(stdoutSink(fd), 1 << 10);
    let want = "";
    for (let i = 0; i < 500; i++) {
      out.add(writeJson, record(i), 0);
      want += line(i);
    }
    await out.flush();
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe(want);
    rmSync(path);
  });

  test("stdoutSink on a pipe whose reader went away: OutputClosedError (EPIPE), not a crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jlo-pipe-"));
    const script = join(dir, "epipe.ts");
    writeFileSync(script, [
      `import { stdoutSink, OutputClosedError } from ${JSON.stringify(join(import.meta.dir, "json-line-output.ts"))};`,
      "const sink = stdoutSink(1);",
      "const chunk = new Uint8Array(1 << 16).fill(0x61);",
      // process.stderr.write, not console.error: the latter colours its text when FORCE_COLOR is set.
      "try { for (let i = 0; i < 1000; i++) await sink(chunk); process.stderr.write('no error\\n'); }",
      "catch (e) { process.stderr.write((e instanceof OutputClosedError ? 'closed: ' + e.message : 'other: ' + e) + '\\n'); }",
    ].join("\n"));
    const proc = Bun.spawn(["bash", "-c", `"${process.execPath}" "${script}" | head -c 10 >/dev/null`], { stderr: "pipe" });
    const err = await new Response(proc.stderr).text();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
    expect(err).toStartWith("closed: output closed by its reader (EPIPE)");
  });
});
