/** An error the HTTP API answers with its own status code and a one-line message. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(readonly status: number, message: string) {
    super(message);
  }
}
