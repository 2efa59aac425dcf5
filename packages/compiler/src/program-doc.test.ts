import { expect, test } from "bun:test";
import { declarationsOf } from "../test-support/declarations.ts";
import { programDoc } from "./program-doc.ts";

const decls = declarationsOf("eunomia-program-doc-");

test("@brief, multi-line @details, @version and free text of LICENSE's doc comment", () => {
  const doc = programDoc(
    decls(
      [
        "/// @brief   BPF bootstrap demo.",
        "/// @details It traces process start and exits.",
        "/// examples:",
        "///   ./bootstrap -d 10000",
        "/// @version 0.1",
        'char LICENSE[] __attribute__((section("license"))) = "GPL";',
      ].join("\n"),
    ),
  );
  expect(doc).toEqual({ brief: "BPF bootstrap demo.", details: "It traces process start and exits.\nexamples:\n./bootstrap -d 10000", version: "0.1" });
});

test("/** */ style, and text outside commands becomes description", () => {
  const doc = programDoc(decls(["/**", " * Counts syscalls.", " * @version 2", " */", 'char LICENSE[] = "GPL";'].join("\n")));
  expect(doc).toEqual({ description: "Counts syscalls.", version: "2" });
});

test("no doc without a doc comment on LICENSE; other globals' @brief is not the program's", () => {
  expect(programDoc(decls(['/// @brief not this', "int x;", "// @brief nor this", 'char LICENSE[] = "GPL";'].join("\n")))).toBeUndefined();
});
