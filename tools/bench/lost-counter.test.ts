import { expect, test } from "bun:test";
import { variableFromDump } from "./lost-counter.ts";

test("variableFromDump finds a variable in bpftool's formatted datasec dump", () => {
  const dump = [{ key: ["0x00"], value: ["0x5f"], formatted: { value: { ".bss": [{ eunomia_lost_events: 1439327 }, { __eunomia_dummy_event_ptr: 0 }] } } }];
  expect(variableFromDump(dump, "eunomia_lost_events")).toBe(1439327n);
  expect(variableFromDump(dump, "other")).toBeUndefined();
  expect(variableFromDump({}, "eunomia_lost_events")).toBeUndefined();
  expect(variableFromDump([{ key: [] }], "eunomia_lost_events")).toBeUndefined();
});
