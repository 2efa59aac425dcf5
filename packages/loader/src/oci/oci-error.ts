/** Why a registry operation failed, as one line (the CLI prints the message as is). */
export class OciError extends Error {
  override readonly name = "OciError";
  /** The HTTP status behind the failure, when there was a response. */
  readonly status?: number;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}
