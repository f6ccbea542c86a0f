// A user-facing error: the CLI prints its message (which names the file, line or flag) without a stack trace.
export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}
