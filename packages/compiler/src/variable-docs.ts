/**
 * Doc comments on global variables (DESIGN.md section 4): `/// text` before a
 * `const volatile` global becomes its `description` (and its flag's help), and
 * `/// @cmdarg {"default": ..., "short": "f", "long": "failed", "help": "..."}` its
 * `cmdarg`, as in the original eunomia-bpf compiler. `/// @description text` sets the
 * description explicitly.
 */
import { basename } from "node:path";
import type { CmdArg, DataSection } from "@eunomia/loader/package";
import type { DeclarationDoc } from "./doc-comments.ts";
import { CompileError } from "./errors.ts";

const CMDARG_KEYS = ["default", "long", "short", "help"];

/** Where a @cmdarg comment is, for error messages. */
export interface CmdargSite {
  file: string;
  line: number;
  variable: string;
}

/**
 * Parses and checks the text after `@cmdarg`: a JSON object whose `long`, `short`
 * (one character) and `help` are strings and whose `default` is any JSON value.
 * @throws CompileError (stage "docs") naming file, line and variable.
 * @example parseCmdarg('{"short": "p", "long": "pid"}', { file: "p.bpf.c", line: 7, variable: "target_pid" })
 *   // { short: "p", long: "pid" }
 */
export function parseCmdarg(text: string, site: CmdargSite): CmdArg {
  const fail = (problem: string): never => {
    throw new CompileError("docs", `${basename(site.file)}:${site.line}: @cmdarg of '${site.variable}' ${problem}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    fail(`is not valid JSON (${(cause as Error).message}): ${text.replace(/\s+/g, " ") || "(nothing after @cmdarg)"}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(`must be a JSON object, e.g. {"long": "pid", "short": "p"}`);
  const raw = value as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !CMDARG_KEYS.includes(k));
  if (unknown.length > 0) fail(`has unknown key ${JSON.stringify(unknown[0])} (known: ${CMDARG_KEYS.join(", ")})`);
  for (const key of ["long", "short", "help"]) {
    if (raw[key] !== undefined && typeof raw[key] !== "string") fail(`has a "${key}" that is not a string`);
  }
  if (typeof raw.short === "string" && !/^[A-Za-z0-9]$/.test(raw.short)) fail(`has "short" ${JSON.stringify(raw.short)}; use one letter or digit`);
  if (typeof raw.long === "string" && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(raw.long)) fail(`has "long" ${JSON.stringify(raw.long)}; use letters, digits, "-" and "_"`);
  if (raw.default !== undefined && raw.default !== null && typeof raw.default === "object") fail(`has a "default" that is not a number, string or boolean`);
  return raw as CmdArg;
}

/**
 * `sections` with each variable's `description` and `cmdarg` taken from its doc comment
 * (variables without one are returned as they are). `decls` come from
 * {@link declarationDocs}.
 * @throws CompileError (stage "docs") for a malformed @cmdarg or two on one variable.
 * @example withVariableDocs(meta.bpf_skel.data_sections, decls)
 */
export function withVariableDocs(sections: readonly DataSection[], decls: readonly DeclarationDoc[]): DataSection[] {
  return sections.map((section) => ({
    ...section,
    variables: section.variables.map((variable) => {
      const decl = decls.find((d) => d.kind === "VarDecl" && d.name === variable.name && d.comment);
      const comment = decl?.comment;
      if (!decl || !comment) return variable;
      const out = { ...variable };
      const explicit = comment.commands.filter((c) => c.name === "description").map((c) => c.text).filter(Boolean);
      const description = [comment.text, ...explicit].filter(Boolean).join("\n");
      if (description !== "") out.description = description;
      const cmdargs = comment.commands.filter((c) => c.name === "cmdarg");
      if (cmdargs.length > 1) throw new CompileError("docs", `${basename(decl.file)}:${cmdargs[1].line}: '${variable.name}' has a second @cmdarg`);
      if (cmdargs.length === 1) out.cmdarg = parseCmdarg(cmdargs[0].text, { file: decl.file, line: cmdargs[0].line, variable: variable.name });
      return out;
    }),
  }));
}
