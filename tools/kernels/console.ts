/**
 * Reads what the matrix's driver printed (a guest's serial console, or the native run's
 * stdout) back into one result per check. The protocol is in driver-prelude.sh:
 * `KINFO <check> <key> <value>`, `KOUT|KERR <check> <line>`, `KCHECK-END <check> <code>`,
 * and `KCHECK-BOOTED <release>` / `KCHECK-DONE` around the whole run.
 */

/** What one check's `ecli run` printed, its exit code, and the facts the driver noted. */
export interface CheckRun {
  stdout: string[];
  stderr: string[];
  /** Exit code of `ecli run`; null when the driver never reached the check's end. */
  code: number | null;
  info: Record<string, string>;
}

/** Everything one kernel's run reported. */
export interface ConsoleReport {
  /** `uname -r` of the kernel that ran the checks; null if the driver never started. */
  release: string | null;
  /** Whether the driver reached its last line. */
  done: boolean;
  checks: Map<string, CheckRun>;
}

const MARKER = /^(KINFO|KOUT|KERR|KCHECK-END) (\S+)(?: (.*))?$/;

function entry(checks: Map<string, CheckRun>, name: string): CheckRun {
  let run = checks.get(name);
  if (!run) checks.set(name, (run = { stdout: [], stderr: [], code: null, info: {} }));
  return run;
}

/**
 * Parses console text. Lines without a marker (firmware, kernel messages) are ignored;
 * serial consoles end lines with CR LF, and a marker may follow terminal escapes on its line.
 *
 * @example
 * parseConsole("KCHECK-BOOTED 6.1.0\nKOUT a {}\nKCHECK-END a 0\nKCHECK-DONE\n").checks.get("a")
 * // { stdout: ["{}"], stderr: [], code: 0, info: {} }
 */
export function parseConsole(text: string): ConsoleReport {
  const report: ConsoleReport = { release: null, done: false, checks: new Map() };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "").replace(/^.*?(?=K(?:INFO|OUT|ERR|CHECK-))/, "");
    if (line.startsWith("KCHECK-BOOTED ")) report.release = line.slice("KCHECK-BOOTED ".length).trim();
    else if (line === "KCHECK-DONE") report.done = true;
    const m = MARKER.exec(line);
    if (!m) continue;
    const [, kind, name, rest = ""] = m;
    const run = entry(report.checks, name);
    if (kind === "KOUT") run.stdout.push(rest);
    else if (kind === "KERR") run.stderr.push(rest);
    else if (kind === "KCHECK-END") run.code = Number(rest);
    else {
      const space = rest.indexOf(" ");
      if (space < 0) run.info[rest] = "";
      else run.info[rest.slice(0, space)] = rest.slice(space + 1);
    }
  }
  return report;
}

/** The last `lines` lines of a console, for a failure message. */
export function consoleTail(text: string, lines = 30): string {
  return text.replace(/\r/g, "").trimEnd().split("\n").slice(-lines).join("\n");
}
