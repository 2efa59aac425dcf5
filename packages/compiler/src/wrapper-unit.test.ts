import { expect, test } from "bun:test";
import { CompileError } from "./errors.ts";
import { hideWrapper, wrapperSource } from "./wrapper-unit.ts";

test("wrapperSource includes the source, then imports the header, then declares the dummy pointer", () => {
  const text = wrapperSource("/p/a.bpf.c", "/p/a.h", "event");
  const lines = text.split("\n").filter((l) => !l.startsWith("#pragma") && !l.startsWith("/*"));
  expect(lines).toEqual(['#include "/p/a.bpf.c"', '#import "/p/a.h"', "struct event *__eunomia_dummy_event_ptr;", ""]);
});

test("wrapperSource rejects paths that cannot be spelled in an #include", () => {
  expect(() => wrapperSource('/p/a"b.c', "/p/a.h", "e")).toThrow(CompileError);
});

test("hideWrapper drops only the wrapper's include notes", () => {
  const raw = "In file included from /tmp/w/a.bpf.c.eunomia.c:1:\n/p/a.bpf.c:9:9: error: boom\nIn file included from /p/a.bpf.c:2:\n";
  expect(hideWrapper(raw, "/tmp/w/a.bpf.c.eunomia.c")).toBe("/p/a.bpf.c:9:9: error: boom\nIn file included from /p/a.bpf.c:2:\n");
});
