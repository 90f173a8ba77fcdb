/** An error the CLI reports as one message and an exit status, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad arguments: exit 2 with the usage. */
export const usageError = (message: string) => new CliError(message, 2);
