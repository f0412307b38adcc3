/**
 * What of an error may reach the logs. Database drivers attach the SQL text,
 * its parameters and a `detail` that quotes values (PGlite and pg both do):
 * those can hold card, account or identity numbers from a request, so only
 * the error's type, code, message and stack are kept, and the message is cut.
 */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const e = error as Error & { code?: unknown; statusCode?: unknown };
  return {
    type: e.name,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    message: redactDigits(e.message.slice(0, 300)),
    stack: e.stack?.split('\n').slice(1, 8).join('\n'),
    ...(e.cause instanceof Error ? { cause: safeError(e.cause) } : {}),
  };
}

/** Long digit runs (card, account, phone, identity numbers) are masked in messages. */
function redactDigits(text: string): string {
  return text.replace(/\d[\d -]{6,}\d/g, (run) => `[${run.replace(/\D/g, '').length} digits]`);
}
