import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inflateSync } from "node:zlib";
import { btfFromElf, createDecoder, parseElf } from "@eunomia/decoder";
import { openObject, RingBufferReader } from "@eunomia/loader";
import { packageToJson, readPackage, type PackageMeta } from "@eunomia/loader/package";
import { build, type BuildResult } from "./build.ts";
import { CompileError } from "./errors.ts";
import { findTool } from "./find-tool.ts";
import { ensureVmlinuxHeader } from "./vmlinux-header.ts";

const fixtures = resolve(import.meta.dir, "../fixtures");
const scratch = mkdtempSync(join(tmpdir(), "eunomia-build-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fixtureFiles = readdirSync(fixtures).sort();

function outDir(name: string): string {
  return join(scratch, name);
}

/** `[id] STRUCT 'name'` from bpftool's own reading of the object's BTF. */
function bpftoolStructId(object: string, name: string): number {
  const run = Bun.spawnSync([findTool("bpftool"), "btf", "dump", "file", object]);
  const m = new RegExp(`^\\[(\\d+)\\] STRUCT '${name}' `, "m").exec(run.stdout.toString());
  if (!m) throw new Error(`bpftool shows no struct ${name}`);
  return Number(m[1]);
}

/** Map and program names as libbpf (inside bpftool's skeleton generator) sees the object. */
function skeletonNames(object: string): { obj: string; maps: string[]; progs: string[] } {
  const text = Bun.spawnSync([findTool("bpftool"), "gen", "skeleton", object]).stdout.toString();
  const all = (re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);
  return { obj: all(/s->name = "([^"]+)";/g)[0]!, maps: all(/s->maps\[\d+\]\.name = "([^"]+)";/g), progs: all(/s->progs\[\d+\]\.name = "([^"]+)";/g) };
}

describe("build: bootstrap with an export header", () => {
  const out = outDir("bootstrap");
  const lines: string[] = [];
  let result: BuildResult;
  let meta: PackageMeta;
  beforeAll(async () => {
    result = await build({
      source: join(fixtures, "bootstrap.bpf.c"),
      header: join(fixtures, "bootstrap.h"),
      outDir: out,
      cflags: ["-DEUNOMIA_TEST_FLAG=1"],
      verbose: true,
      log: (l) => lines.push(l),
    });
    meta = result.package.meta;
  });

  test("writes package.json (unindented) and the object named after the source", () => {
    expect(result.packagePath).toBe(join(out, "package.json"));
    expect(result.objectPath).toBe(join(out, "bootstrap.bpf.o"));
    const text = readFileSync(result.packagePath, "utf8");
    expect(text).toBe(JSON.stringify(result.package));
    expect(result.sizes).toEqual({ object: statSync(result.objectPath).size, json: statSync(result.packagePath).size, msgpack: statSync(result.msgpackPath).size });
    expect(readdirSync(out).sort()).toEqual(["bootstrap.bpf.o", "package.json", "package.msgpack"]);
  });

  test("writes package.msgpack beside it: the same package, converting back exactly", () => {
    expect(result.msgpackPath).toBe(join(out, "package.msgpack"));
    const bytes = new Uint8Array(readFileSync(result.msgpackPath));
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("EUNP");
    expect(JSON.stringify(packageToJson(bytes))).toBe(readFileSync(result.packagePath, "utf8"));
    expect(result.sizes.msgpack).toBeLessThan(result.sizes.json * 0.7);
  });

  test("bpf_object is the object on disk, deflated and base64'd, with its exact size", () => {
    const onDisk = readFileSync(result.objectPath);
    expect(result.package.bpf_object_size).toBe(onDisk.length);
    expect(Buffer.from(inflateSync(Buffer.from(result.package.bpf_object, "base64"))).equals(onDisk)).toBe(true);
    // And the loader's validating reader accepts it unchanged.
    const pkg = readPackage(readFileSync(result.packagePath, "utf8"));
    expect(Buffer.from(pkg.object).equals(onDisk)).toBe(true);
    expect(pkg.meta).toEqual(meta);
  });

  test("metadata is exactly what the program declares", () => {
    expect(meta).toEqual({
      bpf_skel: {
        obj_name: "bootstrap_bpf",
        data_sections: [
          { name: ".rodata", variables: [{ name: "min_duration_ns", type: "unsigned long long" }] },
          { name: ".bss", variables: [{ name: "__eunomia_dummy_event_ptr", type: "struct event *" }] },
        ],
        maps: [
          { name: "exec_start", ident: "exec_start" },
          { name: "rb", ident: "rb" },
          { name: "bootstra.rodata", ident: "rodata", mmaped: true },
          { name: "bootstra.bss", ident: "bss", mmaped: true },
        ],
        progs: [
          { name: "handle_exec", attach: "tp/sched/sched_process_exec", link: true },
          { name: "handle_exit", attach: "tp/sched/sched_process_exit", link: true },
        ],
      },
      export_types: [
        {
          name: "event",
          size: 176,
          type_id: bpftoolStructId(result.objectPath, "event"),
          members: [
            { name: "pid", type: "int" },
            { name: "ppid", type: "int" },
            { name: "exit_code", type: "unsigned int" },
            { name: "duration_ns", type: "unsigned long long" },
            { name: "comm", type: "char[16]" },
            { name: "filename", type: "char[127]" },
            { name: "exit_event", type: "bool" },
            { name: "type", type: "enum event_type" },
          ],
        },
      ],
      eunomia_version: "1.0.0",
    });
  });

  test("maps, programs and object name agree with libbpf's view (bpftool gen skeleton)", () => {
    const skel = skeletonNames(result.objectPath);
    expect(skel.obj).toBe(meta.bpf_skel.obj_name);
    expect(skel.maps).toEqual(meta.bpf_skel.maps!.map((m) => m.name));
    expect(skel.progs).toEqual(meta.bpf_skel.progs!.map((p) => p.name));
  });

  test("the object keeps BTF and BTF.ext but no DWARF", () => {
    const names = parseElf(new Uint8Array(readFileSync(result.objectPath))).sections.map((s) => s.name);
    expect(names).toContain(".BTF");
    expect(names).toContain(".BTF.ext");
    expect(names.filter((n) => n.startsWith(".debug_"))).toEqual([]);
  });

  test("the object names its source relative to the source's folder, not where it was built", () => {
    const text = new TextDecoder().decode(readFileSync(result.objectPath));
    expect(text).toContain("\0./bootstrap.bpf.c\0");
    expect(text).not.toContain(fixtures);
  });

  test("clang ran with the BPF target, arch macro, include dirs and user flags", async () => {
    const vmlinux = await ensureVmlinuxHeader();
    const compile = lines.find((l) => l.startsWith("$ ") && l.includes(" -c "));
    expect(compile).toBeDefined();
    expect(compile).toContain(` -g -O2 -ffile-prefix-map=${fixtures}=. -target bpf -D__TARGET_ARCH_x86 -DEUNOMIA_TEST_FLAG=1 -I${fixtures} -I${vmlinux.dir} `);
    expect(lines.some((l) => /^\$ \S*llvm-strip\S* -g \S+\/bootstrap\.bpf\.o$/.test(l))).toBe(true);
  });

  test("the package loads and attaches here, its events decode by export_types, and everything is released", async () => {
    const progCount = () => (JSON.parse(Bun.spawnSync([findTool("bpftool"), "-j", "prog", "list"]).stdout.toString()) as unknown[]).length;
    const before = progCount();
    const pkg = readPackage(readFileSync(result.packagePath, "utf8"));
    const exported = pkg.meta.export_types[0]!;
    const decode = createDecoder(btfFromElf(parseElf(pkg.object)), exported.type_id);
    const events: Record<string, unknown>[] = [];
    let childPid = 0;
    {
      using obj = openObject(pkg.object, { name: pkg.meta.bpf_skel.obj_name });
      expect(obj.maps().map((m) => m.name)).toEqual(meta.bpf_skel.maps!.map((m) => m.name));
      obj.load();
      obj.attachAll();
      expect(progCount()).toBe(before + 2);
      using ring = new RingBufferReader(obj.mapFd("rb"));
      const child = Bun.spawnSync(["/bin/true"]); // one exec, one exit
      childPid = child.pid;
      expect(child.exitCode).toBe(0);
      for (let i = 0; i < 20 && !events.some((e) => e.pid === childPid && e.exit_event === true); i++) {
        await ring.wait(100);
        ring.drain((data) => events.push(decode(data) as Record<string, unknown>));
      }
    }
    expect(progCount()).toBe(before);
    const mine = events.filter((e) => e.pid === childPid);
    expect(mine.map((e) => e.type)).toEqual(["EVENT_EXEC", "EVENT_EXIT"]);
    expect(mine[0]).toMatchObject({ exit_event: false, comm: "true", filename: "/bin/true", exit_code: 0 });
    expect(mine[1]).toMatchObject({ exit_event: true, comm: "true", exit_code: 0 });
    expect(Object.keys(mine[0]!)).toEqual(exported.members.map((m) => m.name));
  });

  test("a header without include guard, already included by the source, is no redefinition", async () => {
    const dir = outDir("noguard");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "ng.h"), "struct ng_event { int pid; char comm[16]; };\n");
    writeFileSync(
      join(dir, "ng.bpf.c"),
      '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include "ng.h"\nchar LICENSE[] SEC("license") = "GPL";\n' +
        'SEC("tp/sched/sched_process_exec") int on_exec(void *ctx) { return 0; }\n',
    );
    const r = await build({ source: join(dir, "ng.bpf.c"), header: join(dir, "ng.h"), cflags: ["-Wall", "-pedantic"] });
    expect(r.package.meta.export_types.map((t) => [t.name, t.size, t.members.map((m) => m.type)])).toEqual([["ng_event", 20, ["int", "char[16]"]]]);
  });

  test("the source directory is left as it was", () => {
    expect(readdirSync(fixtures).sort()).toEqual(fixtureFiles);
  });
});

describe("build: without a header", () => {
  let result: BuildResult;
  beforeAll(async () => {
    result = await build({ source: join(fixtures, "minimal.bpf.c"), outDir: outDir("minimal") });
  });

  test("describes maps and programs, exports no type, adds no dummy", () => {
    expect(result.package.meta).toEqual({
      bpf_skel: {
        obj_name: "minimal_bpf",
        data_sections: [{ name: ".rodata", variables: [{ name: "target_pid", type: "__u32" }] }],
        maps: [
          { name: "counts", ident: "counts" },
          { name: "minimal_.rodata", ident: "rodata", mmaped: true },
        ],
        progs: [{ name: "count_enter", attach: "raw_tp/sys_enter", link: true }],
      },
      export_types: [],
      eunomia_version: "1.0.0",
    });
    expect(skeletonNames(result.objectPath).maps).toEqual(["counts", "minimal_.rodata"]);
  });

  test("outDir defaults to the source's directory", async () => {
    const dir = outDir("default-out");
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(fixtures, "minimal.bpf.c"), join(dir, "minimal.bpf.c"));
    const r = await build({ source: join(dir, "minimal.bpf.c") });
    expect(r.packagePath).toBe(join(dir, "package.json"));
    expect(existsSync(join(dir, "minimal.bpf.o"))).toBe(true);
  });
});

describe("build: errors", () => {
  async function failure(opts: Parameters<typeof build>[0]): Promise<CompileError> {
    const err = await build(opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CompileError);
    return err as CompileError;
  }

  test("a C error names the user's file and line; diagnostics carry clang's full report", async () => {
    const out = outDir("broken");
    const src = join(fixtures, "broken.bpf.c");
    const err = await failure({ source: src, outDir: out });
    expect(err.stage).toBe("compile");
    expect(err.message).toBe(`clang failed to compile broken.bpf.c: ${src}:9:9: error: use of undeclared identifier 'undeclared_counter'`);
    expect(err.diagnostics).toContain(`${src}:9:9: error: use of undeclared identifier 'undeclared_counter'`);
    expect(err.diagnostics).toContain("return undeclared_counter + 1;");
    expect(existsSync(out)).toBe(false);
  });

  test("with a header the generated wrapper stays invisible in diagnostics", async () => {
    const src = join(fixtures, "broken.bpf.c");
    const err = await failure({ source: src, header: join(fixtures, "bootstrap.h"), outDir: outDir("broken-h") });
    expect(err.message).toContain(`${src}:9:9: error: use of undeclared identifier 'undeclared_counter'`);
    expect(err.diagnostics).not.toContain(".eunomia.c");
    expect(err.diagnostics).not.toContain("In file included from");
  });

  test("missing inputs and tools are one-line typed errors", async () => {
    const none = join(scratch, "none.bpf.c");
    expect((await failure({ source: none })).message).toBe(`source ${none} does not exist`);
    expect((await failure({ source: join(fixtures, "minimal.bpf.c"), header: join(scratch, "none.h") })).message).toBe(
      `header ${join(scratch, "none.h")} does not exist`,
    );
    expect((await failure({ source: fixtures })).message).toBe(`source ${fixtures} is not a regular file`);
    const tool = await failure({ source: join(fixtures, "minimal.bpf.c"), clang: "/nonexistent/clang" });
    expect(tool.stage).toBe("tool");
    expect(tool.message).toBe("clang not found: /nonexistent/clang is not an executable file");
  });

  test("without bpftool: programs that skip vmlinux.h still build; the others get a clear error", async () => {
    const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, BPFTOOL: process.env.BPFTOOL };
    process.env.XDG_CACHE_HOME = join(scratch, "empty-cache"); // no vmlinux.h cached yet
    process.env.BPFTOOL = "/nonexistent/bpftool";
    try {
      const ok = await build({ source: join(fixtures, "minimal.bpf.c"), outDir: outDir("no-bpftool-ok") });
      expect(ok.package.meta.bpf_skel.obj_name).toBe("minimal_bpf");
      const err = await failure({ source: join(fixtures, "bootstrap.bpf.c"), outDir: outDir("no-bpftool") });
      expect(err.stage).toBe("tool");
      expect(err.message).toBe("bootstrap.bpf.c includes vmlinux.h, but bpftool not found: $BPFTOOL=/nonexistent/bpftool is not an executable file");
      expect(err.diagnostics).toContain("'vmlinux.h' file not found");
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test("a header without a struct builds with a warning and no export type", async () => {
    const h = join(scratch, "nostruct.h");
    writeFileSync(h, "/* struct event { int pid; }; */\nenum only_an_enum { A };\n");
    const result = await build({ source: join(fixtures, "minimal.bpf.c"), header: h, outDir: outDir("nostruct") });
    expect(result.warnings).toEqual(["header nostruct.h defines no named struct: the package exports no event type (events print as hex)"]);
    expect(result.package.meta.export_types).toEqual([]);
  });
});
