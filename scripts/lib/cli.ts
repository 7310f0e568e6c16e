/** Small helpers shared by the command-line scripts: argument errors, numbers, exit codes. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict checking; unknown options and missing values become UsageErrors. */
export function parseCli<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${value}')`);
  return n;
}

/** Runs a CLI main: usage errors exit 2 with the usage text, other errors exit 1 with their message. */
export function runMain(usage: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`error: ${err.message}\n\n${usage}`);
        process.exit(2);
      }
      const e = err as Error;
      const cause = e.cause instanceof Error ? `\n  cause: ${e.cause.message}` : '';
      console.error(`error: ${e.message ?? String(err)}${cause}`);
      process.exit(1);
    },
  );
}
