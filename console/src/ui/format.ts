/** Dates as people in Japan read them (or English), in the browser's time zone. */
export function formatTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language.startsWith('en') ? 'en-GB' : 'ja-JP', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

export function formatNumber(value: number, language: string, digits = 0): string {
  return new Intl.NumberFormat(language.startsWith('en') ? 'en-GB' : 'ja-JP', {
    maximumFractionDigits: digits,
  }).format(value);
}
