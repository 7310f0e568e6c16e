/** The root cause's message of a failure: a training's reason arrives wrapped as child -> activity -> application failure. */
export function errorText(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
