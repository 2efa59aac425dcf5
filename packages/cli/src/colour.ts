/**
 * Colour for ecli's diagnostics: used only when the stream is a terminal and the
 * NO_COLOR convention (https://no-color.org) is not in force, so piped output is plain text.
 */

/** The colours ecli paints with. */
export type Colour = "red" | "yellow";

const CODES: Record<Colour, string> = { red: "\x1b[31m", yellow: "\x1b[33m" };
const RESET = "\x1b[0m";

/**
 * Whether to colour a stream: it is a TTY and NO_COLOR is unset or empty.
 * @example useColour(process.stderr.isTTY, process.env) // false when piped
 */
export function useColour(isTTY: boolean | undefined, env: Record<string, string | undefined> = process.env): boolean {
  return isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

/**
 * Wraps `text` in the colour's escape codes when `enabled`, else returns it as is.
 * @example paint("ecli:", "red", false) // "ecli:"
 */
export function paint(text: string, colour: Colour, enabled: boolean): string {
  return enabled ? `${CODES[colour]}${text}${RESET}` : text;
}

/** `paint` for stderr, deciding from the process's stderr and environment. */
export function paintStderr(text: string, colour: Colour): string {
  return paint(text, colour, useColour(process.stderr.isTTY));
}
