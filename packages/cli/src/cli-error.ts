/** An error in how ecli was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit codes: 1 for a failure of the work, 2 for a bad command line. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
