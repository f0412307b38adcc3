import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';

/**
 * An API problem (RFC 9457) as the user reads it: the title, the detail and
 * each field the server named — never a bare "something went wrong".
 */
export function ErrorNotice({ error, onRetry }: { readonly error: unknown; readonly onRetry?: () => void }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  const japanese = !i18n.language.startsWith('en');
  let title = t('error.title');
  let detail: string | undefined;
  let issues: readonly { path: string; message: string; ja?: string }[] = [];
  if (error instanceof ApiError) {
    if (error.status === 0) detail = t('error.network');
    else if (error.status === 403) {
      title = t('error.forbidden');
      detail = error.detail;
    } else if (error.status === 404) {
      title = t('error.notFound');
      detail = error.detail;
    } else {
      title = oneLanguage(error.title, japanese, TITLE_PAIR);
      detail = error.detail === undefined ? undefined : oneLanguage(error.detail, japanese, DETAIL_PAIR);
    }
    issues = error.issues;
    // The detail only joins the issues in both languages: the list below says it in one.
    if (issues.length > 0 && error.status !== 403 && error.status !== 404) detail = undefined;
  } else if (error instanceof Error) {
    detail = error.message;
  }
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}</strong>
      {detail ? <p>{detail}</p> : null}
      {issues.length > 0 ? (
        <ul>
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              {t('error.field', {
                path: issue.path,
                message: japanese && issue.ja ? issue.ja : issue.message,
              })}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** The API's problem titles read `日本語 (English)`; its details `日本語 / English`. */
const TITLE_PAIR = /^(.*[\u3040-\u30ff\u4e00-\u9fff].*?) \(([\x20-\x7e]+)\)$/s;
const DETAIL_PAIR = /^(.*[\u3040-\u30ff\u4e00-\u9fff].*?) \/ ([\x20-\x7e]+)$/s;

/** The page language's half of a text the API wrote in both, else the text as it is. */
function oneLanguage(text: string, japanese: boolean, pair: RegExp): string {
  const match = pair.exec(text);
  if (!match) return text;
  return (japanese ? match[1] : match[2]) ?? text;
}
