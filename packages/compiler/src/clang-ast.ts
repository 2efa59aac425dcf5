/**
 * Reading clang's `-ast-dump=json` output. Its source locations are delta-encoded: a
 * location names its `file` only when it differs from the previously printed one, so
 * the file of a node is known only by replaying every location in print order.
 * `JSON.parse` keeps key order, so walking keys in order replays the dumper exactly.
 */

/** Follows clang's "last printed file" (and line) state across a JSON AST. */
export class LocationReplay {
  file = "";
  /** The last printed line (clang omits `line` while it stays the same). */
  line = 0;

  /** Replays one location object; returns the file it refers to ("" for an invalid location). */
  location(loc: Json | undefined): string {
    if (!isObject(loc)) return "";
    if ("spellingLoc" in loc || "expansionLoc" in loc) {
      this.bare(loc.spellingLoc);
      // A declaration made by a macro belongs where the macro was used.
      return this.bare(loc.expansionLoc);
    }
    return this.bare(loc);
  }

  /** Replays everything under `value` (ranges, nested nodes) to keep the state right. */
  walk(value: Json | undefined): void {
    if (Array.isArray(value)) {
      for (const v of value) this.walk(v);
    } else if (isObject(value)) {
      if (typeof value.file === "string") this.file = value.file;
      if (typeof value.line === "number") this.line = value.line;
      for (const [key, v] of Object.entries(value)) {
        // `includedFrom.file` names the includer; the dumper does not treat it as "last file".
        if (key !== "includedFrom" && key !== "file") this.walk(v);
      }
    }
  }

  private bare(loc: Json | undefined): string {
    if (!isObject(loc) || Object.keys(loc).length === 0) return "";
    if (typeof loc.file === "string") this.file = loc.file;
    if (typeof loc.line === "number") this.line = loc.line;
    return this.file;
  }
}

/** A JSON value as clang's AST dump holds it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a JSON object (not null, not an array). */
export function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The name of the first named `struct` *defined* at file scope in the file accepted by
 * `inFile` (forward declarations, unions, anonymous structs, and structs from included
 * files are skipped), or undefined when there is none.
 * @example firstDefinedStruct(JSON.parse(dump), (f) => f === "/src/prog.bpf.h") // "event"
 */
export function firstDefinedStruct(ast: unknown, inFile: (file: string) => boolean): string | undefined {
  const root = ast as Json;
  if (!isObject(root) || !Array.isArray(root.inner)) return undefined;
  const replay = new LocationReplay();
  for (const decl of root.inner) {
    if (!isObject(decl)) continue;
    const file = replay.location(decl.loc);
    for (const [key, v] of Object.entries(decl)) if (key !== "loc") replay.walk(v);
    if (
      decl.kind === "RecordDecl" &&
      decl.tagUsed === "struct" &&
      decl.completeDefinition === true &&
      typeof decl.name === "string" &&
      decl.name !== "" &&
      file !== "" &&
      inFile(file)
    ) {
      return decl.name;
    }
  }
  return undefined;
}
