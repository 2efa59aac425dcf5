/**
 * The program's own documentation, `bpf_skel.doc`: the doc comment of the `LICENSE`
 * global, where the original eunomia-bpf compiler reads it:
 *
 *   /// @brief   Trace process start and exit.
 *   /// @details Shows filename, duration, PID and PPID.
 *   /// @version 0.1
 *   char LICENSE[] SEC("license") = "Dual BSD/GPL";
 */
import type { DocMeta } from "@eunomia/loader/package";
import type { DeclarationDoc } from "./doc-comments.ts";

const KEYS = ["brief", "details", "version", "description"] as const;

/**
 * `brief`, `details`, `version` (the text of those commands) and `description` (the
 * text outside any command, and any `@description`) of LICENSE's doc comment;
 * undefined when it has none. A command given twice keeps its last text, as the
 * original does.
 * @example programDoc(decls) // { brief: "Trace process start and exit.", version: "0.1" }
 */
export function programDoc(decls: readonly DeclarationDoc[]): DocMeta | undefined {
  const license = decls.find((d) => d.kind === "VarDecl" && d.name === "LICENSE" && d.comment);
  const comment = license?.comment;
  if (!comment) return undefined;
  const doc: DocMeta = {};
  const parts: Record<string, string[]> = { description: comment.text ? [comment.text] : [] };
  for (const c of comment.commands) {
    if (!(KEYS as readonly string[]).includes(c.name) || c.text === "") continue;
    if (c.name === "description") parts.description.push(c.text);
    else parts[c.name] = [c.text];
  }
  for (const key of KEYS) if (parts[key]?.length) doc[key] = parts[key].join("\n");
  return Object.keys(doc).length > 0 ? doc : undefined;
}
