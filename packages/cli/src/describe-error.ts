/**
 * Turns any error into the one line ecli prints. Typed errors from the packages already
 * carry a clear message; this adds the fact a user needs next (the verifier's last word,
 * the privilege hint) and keeps stack traces out unless ECLI_DEBUG is set.
 */

interface ErrorFacts { errno?: number; errnoName?: string; log?: string; diagnostics?: string }

const EPERM = 1;

/** The verifier's most telling line: the last non-summary line of its log. */
function verifierVerdict(log: string): string | undefined {
  const lines = log.split("\n").map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (/^(processed \d+ insns|verification time|stack depth|-- END|libbpf:)/.test(l)) continue;
    return l;
  }
  return undefined;
}

/** One line describing `err`. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `unexpected error: ${String(err)}`;
  if (process.env.ECLI_DEBUG) process.stderr.write(`${err.stack}\n`);
  const facts = err as Error & ErrorFacts;
  if (typeof facts.diagnostics === "string" && facts.diagnostics.trim()) process.stderr.write(facts.diagnostics.trimEnd() + "\n");
  let line = err.message.split("\n")[0];
  const known = ["UsageError", "InputError", "PackageError", "ElfError", "BtfError", "EncodeError", "DecodeError",
    "LibbpfError", "LoadError", "AttachError", "OpenError", "CompileError", "StackTraceError", "SymbolError", "TracePipeError", "WasmError", "OciError"];
  if (!known.includes(err.name) && !(err.constructor?.name && known.includes(err.constructor.name))) line = `internal error: ${line}`;
  if (typeof facts.log === "string" && facts.log) {
    const verdict = verifierVerdict(facts.log);
    if (verdict && !line.includes(verdict)) line += ` (verifier: ${verdict})`;
  }
  if (facts.errno === EPERM || facts.errnoName === "EPERM") line += " (eBPF needs root, or CAP_BPF with CAP_PERFMON)";
  return line;
}
