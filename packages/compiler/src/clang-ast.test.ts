import { describe, expect, test } from "bun:test";
import { firstDefinedStruct } from "./clang-ast.ts";

// Shaped like clang's JSON dump: a location names its file only when it changes.
const ast = {
  kind: "TranslationUnitDecl",
  loc: {},
  inner: [
    { kind: "TypedefDecl", loc: {}, isImplicit: true, name: "__int128_t" },
    {
      kind: "RecordDecl",
      loc: { offset: 7, file: "./inc.h", line: 1, col: 8, includedFrom: { file: "/src/h.h" } },
      range: { begin: { offset: 0, col: 1 }, end: { offset: 30, col: 30 } },
      name: "from_include",
      tagUsed: "struct",
      completeDefinition: true,
      inner: [{ kind: "FieldDecl", loc: { offset: 20, col: 20 }, name: "a" }],
    },
    // Back in the header: the file changes again, and is then omitted.
    { kind: "RecordDecl", loc: { offset: 90, file: "/src/h.h", line: 5, col: 8 }, name: "fwd", tagUsed: "struct" },
    { kind: "RecordDecl", loc: { offset: 100, line: 6, col: 7 }, name: "u", tagUsed: "union", completeDefinition: true },
    { kind: "RecordDecl", loc: { offset: 120, line: 7, col: 9 }, tagUsed: "struct", completeDefinition: true },
    {
      kind: "RecordDecl",
      loc: { spellingLoc: { offset: 190, line: 9, col: 9 }, expansionLoc: { offset: 182, col: 1 } },
      name: "by_macro",
      tagUsed: "struct",
      completeDefinition: true,
    },
    { kind: "RecordDecl", loc: { offset: 220, line: 10, col: 8 }, name: "later", tagUsed: "struct", completeDefinition: true },
  ],
};

describe("firstDefinedStruct", () => {
  test("skips included files, forward declarations, unions and anonymous structs", () => {
    expect(firstDefinedStruct(ast, (f) => f === "/src/h.h")).toBe("by_macro");
  });

  test("tracks the file through nested nodes (a field location can switch files)", () => {
    const tu = {
      inner: [
        {
          kind: "RecordDecl", loc: { offset: 1, file: "/src/h.h" }, name: "wrapper", tagUsed: "union", completeDefinition: true,
          inner: [{ kind: "FieldDecl", loc: { offset: 2, file: "/other.h" } }],
        },
        // No file key: clang means "same as the last one printed", which is /other.h.
        { kind: "RecordDecl", loc: { offset: 3 }, name: "elsewhere", tagUsed: "struct", completeDefinition: true },
        { kind: "RecordDecl", loc: { offset: 4, file: "/src/h.h" }, name: "mine", tagUsed: "struct", completeDefinition: true },
      ],
    };
    expect(firstDefinedStruct(tu, (f) => f === "/src/h.h")).toBe("mine");
  });

  test("undefined when the file defines no struct or the input is not an AST", () => {
    expect(firstDefinedStruct(ast, (f) => f === "/nowhere.h")).toBeUndefined();
    expect(firstDefinedStruct(null, () => true)).toBeUndefined();
    expect(firstDefinedStruct({ inner: "x" }, () => true)).toBeUndefined();
  });
});
