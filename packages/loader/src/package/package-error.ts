/**
 * The error every malformed package produces.
 */

/**
 * A package failed validation. The message is one line starting with "package: ";
 * `path` names the offending field when there is one (e.g. "meta.bpf_skel.progs[0].attach").
 */
export class PackageError extends Error {
  override name = "PackageError";
  /** JSON path of the offending field, if the problem is in one. */
  readonly path?: string;

  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super(`package: ${message}`, { cause: options.cause });
    if (options.path !== undefined) this.path = options.path;
  }
}
