import { accessSync, constants, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { CompileError } from "./errors.ts";

/** The external programs a build needs. */
export type ToolKind = "clang" | "llvm-strip" | "bpftool";

const ENV_VAR: Record<ToolKind, string> = { clang: "CLANG", "llvm-strip": "LLVM_STRIP", bpftool: "BPFTOOL" };
const CANDIDATES: Record<ToolKind, string[]> = {
  clang: ["clang-19", "clang"],
  "llvm-strip": ["llvm-strip-19", "llvm-strip"],
  bpftool: ["bpftool"],
};
// bpftool lives in sbin, which an ordinary user's PATH often lacks.
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * Finds a tool: the explicit choice if given (must exist), else `$CLANG` / `$LLVM_STRIP` /
 * `$BPFTOOL`, else (for llvm-strip) the one beside `nearClang`, else the versioned then the
 * plain name on PATH (plus the sbin directories).
 * @throws CompileError (stage "tool") naming what was tried.
 * @example findTool("clang") // "/usr/bin/clang-19"
 */
export function findTool(
  kind: ToolKind,
  opts: { explicit?: string; nearClang?: string; env?: Record<string, string | undefined> } = {},
): string {
  const env = opts.env ?? process.env;
  if (opts.explicit !== undefined && opts.explicit !== "") {
    const found = resolveProgram(opts.explicit, env.PATH);
    if (found) return found;
    throw new CompileError("tool", `${kind} not found: ${opts.explicit} is not an executable file`);
  }
  const tried: string[] = [];
  const fromEnv = env[ENV_VAR[kind]];
  if (fromEnv) {
    const found = resolveProgram(fromEnv, env.PATH);
    if (found) return found;
    throw new CompileError("tool", `${kind} not found: $${ENV_VAR[kind]}=${fromEnv} is not an executable file`);
  }
  if (kind === "llvm-strip" && opts.nearClang?.includes("/")) {
    const sibling = join(dirname(opts.nearClang), "llvm-strip");
    tried.push(sibling);
    if (isExecutableFile(sibling)) return sibling;
  }
  const path = [env.PATH ?? "", ...EXTRA_DIRS].join(":");
  for (const name of CANDIDATES[kind]) {
    tried.push(name);
    const found = Bun.which(name, { PATH: path });
    if (found) return found;
  }
  const hint = kind === "bpftool" ? " (install bpftool, e.g. apt-get install bpftool)" : kind === "clang" ? " (install clang-19 or pass --clang)" : " (install llvm-19)";
  throw new CompileError("tool", `${kind} not found: tried $${ENV_VAR[kind]}, ${tried.join(", ")} on PATH${hint}`);
}

function resolveProgram(program: string, pathVar: string | undefined): string | undefined {
  if (program.includes("/")) return isExecutableFile(program) ? program : undefined;
  return Bun.which(program, { PATH: [pathVar ?? "", ...EXTRA_DIRS].join(":") }) ?? undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
