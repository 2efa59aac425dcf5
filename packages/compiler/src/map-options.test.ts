import { expect, test } from "bun:test";
import { declarationsOf } from "../test-support/declarations.ts";
import { withMapOptions } from "./map-options.ts";

const decls = declarationsOf("eunomia-map-options-");

const map = (name: string) => ({ name, ident: name });

test("@intepreter and @export_config on maps written as anonymous structs", () => {
  const d = decls(
    [
      '/// @intepreter {"stack_trace": {"with_symbols": true}}',
      '/// @export_config {"btf_type_id": 7}',
      "struct { int type; } stacks;",
      '/// @interpreter "default_struct"',
      '/// @export "no_export"',
      "struct { int type; } events;",
      "/// just a description",
      "struct { int type; } plain;",
    ].join("\n"),
  );
  expect(withMapOptions([map("stacks"), map("events"), map("plain")], d)).toEqual([
    { name: "stacks", ident: "stacks", intepreter: { stack_trace: { with_symbols: true } }, export_config: { btf_type_id: 7 } },
    { name: "events", ident: "events", intepreter: "default_struct", export_config: "no_export" },
    { name: "plain", ident: "plain" },
  ]);
});

test("bad values fail naming file:line and map", () => {
  const bad = decls(["/// text", '/// @intepreter "stack"', "struct { int type; } m;"].join("\n"));
  expect(() => withMapOptions([map("m")], bad)).toThrow(/^prog\.c:2: map 'm' @intepreter must be "default_struct"/);
  const json = decls(["/// @export_config {nope}", "struct { int type; } m;"].join("\n"));
  expect(() => withMapOptions([map("m")], json)).toThrow(/^prog\.c:1: map 'm' @export_config is not valid JSON/);
});
