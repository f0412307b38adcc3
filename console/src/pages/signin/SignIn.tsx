import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { LanguageSwitch } from '../../root.tsx';
import type { Me } from '../../types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';

/**
 * Sign-in with an API key (C4): pasted once, checked with `GET /v1/me`, then
 * kept for this tab only (sessionStorage). The key's role and origin decide
 * what the console shows.
 */
export function SignIn({
  onSignedIn,
  ended = false,
}: {
  readonly onSignedIn: (key: string, me: Me) => void;
  /** The previous session ended because the API refused its key (revoked): say so. */
  readonly ended?: boolean;
}) {
  const { t } = useTranslation('signin');
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError(new Error(t('empty')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('/v1/me', { key: trimmed });
      setKey('');
      onSignedIn(trimmed, me);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? new Error(t('rejected')) : caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <div className="signin-head">
          <h1>{t('title')}</h1>
          <LanguageSwitch />
        </div>
        {ended ? (
          <p className="notice notice-error" role="alert" data-testid="signin-ended">
            {t('ended')}
          </p>
        ) : null}
        <p>{t('lead')}</p>
        <form onSubmit={submit} noValidate>
          <label htmlFor="api-key">{t('key')}</label>
          <input
            id="api-key"
            name="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(event) => setKey(event.target.value)}
            aria-describedby="api-key-help"
            aria-invalid={error ? true : undefined}
          />
          <p id="api-key-help" className="help">
            {t('help')}
          </p>
          <ErrorNotice error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
