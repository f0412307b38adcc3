/** Field-level problems of an API error, by the form field they name (`body.value.name` → `value`). */
export function fieldErrors(
  issues: readonly { path: string; message: string; ja?: string }[],
  language: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.path.replace(/^(body|query)\./, '').split('.')[0] ?? '';
    const text = !language.startsWith('en') && issue.ja ? issue.ja : issue.message;
    out[field] = out[field] ? `${out[field]} ${text}` : text;
  }
  return out;
}
