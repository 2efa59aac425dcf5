import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "@eunomia/compiler";
import { btfFromElf, parseElf, type Btf } from "@eunomia/decoder";
import type { PackageMeta } from "@eunomia/loader/package";
import { UsageError } from "./cli-error.ts";
import { BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_RINGBUF, exportPlan, fieldNames } from "./export-plan.ts";

const EXAMPLE = resolve(import.meta.dir, "../../../examples/alltypes");
let btf: Btf;
let meta: PackageMeta;
let eventId: number;
const maps = [{ name: "events", type: BPF_MAP_TYPE_RINGBUF }, { name: "alltypes.bss", type: 2 }];

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), "export-plan-"));
  try {
    const built = await build({ source: join(EXAMPLE, "alltypes-ring.bpf.c"), header: join(EXAMPLE, "alltypes.bpf.h"), outDir: out });
    btf = btfFromElf(parseElf(await Bun.file(built.objectPath).bytes()));
    meta = built.package.meta;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  eventId = btf.find("event", "struct")!.id;
});

const withMaps = (overrides: Record<string, unknown>[]): PackageMeta => ({
  ...meta,
  enable_multiple_export_types: true,
  bpf_skel: { ...meta.bpf_skel, maps: overrides.map((o) => ({ name: String(o.name), ident: String(o.name), ...o })) },
});

describe("fieldNames", () => {
  test("flattens the anonymous union into its members, in declaration order", () => {
    const names = fieldNames(btf, eventId);
    expect(names.slice(13, 18)).toEqual(["raw", "nested", "as_u32", "as_f32", "ints"]);
    expect(names).toHaveLength(31);
  });
});

describe("exportPlan", () => {
  test("single export: the ring buffer, decoded by the first export type", () => {
    const [target, ...rest] = exportPlan(meta, maps, btf);
    expect(rest).toEqual([]);
    expect(target).toMatchObject({ map: "events", source: "ring", size: 208 });
    expect(target.fields[0]).toBe("u8v");
    const bytes = new Uint8Array(208);
    bytes[0] = 200;
    expect((target.decode!(bytes) as Record<string, unknown>).u8v).toBe(200);
  });

  test("single export with several candidates warns and takes the first", () => {
    const warnings: string[] = [];
    const targets = exportPlan(meta, [...maps, { name: "more", type: BPF_MAP_TYPE_PERF_EVENT_ARRAY }], btf, (w) => warnings.push(w));
    expect(targets.map((t) => t.map)).toEqual(["events"]);
    expect(warnings).toEqual(["several export maps (events, more); using events"]);
  });

  test("multiple export types: btf_type_id, custom_members, and no_export", () => {
    const plan = exportPlan(withMaps([
      { name: "events", export_config: { btf_type_id: eventId } },
      { name: "more", export_config: { custom_members: [{ name: "second", offset: 1, btf_type_id: btf.find("int", "int")!.id }] } },
      { name: "quiet", export_config: "no_export" },
    ]), [...maps, { name: "more", type: BPF_MAP_TYPE_PERF_EVENT_ARRAY }, { name: "quiet", type: BPF_MAP_TYPE_RINGBUF }], btf);
    expect(plan.map((t) => [t.map, t.source, t.size])).toEqual([["events", "ring", 208], ["more", "perf", 5]]);
    expect(plan[1].fields).toEqual(["second"]);
    expect(plan[1].decode!(new Uint8Array([9, 0xfe, 0xff, 0xff, 0xff]))).toEqual({ second: -2 });
  });

  test("bad export configs are one-line usage errors", () => {
    expect(() => exportPlan(withMaps([{ name: "events", export_config: "default" }]), maps, btf)).toThrow(/"default" applies only to sampled maps/);
    expect(() => exportPlan(withMaps([{ name: "events", export_config: { btf_type_id: 999999 } }]), maps, btf)).toThrow(UsageError);
  });
});
