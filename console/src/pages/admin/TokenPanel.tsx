import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A new API key's token, shown once: it lives in this component's state only
 * (never stored, never logged) and is gone when the panel is closed.
 */
export function TokenPanel({
  title,
  token,
  onClose,
}: {
  readonly title: string;
  readonly token: string;
  readonly onClose: () => void;
}) {
  const { t } = useTranslation('admin');
  const [copied, setCopied] = useState<boolean | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="notice notice-ok admin-token" data-testid="admin-new-token">
      <h3 ref={headingRef} tabIndex={-1}>
        {title}
      </h3>
      <p className="admin-token-warning">
        <strong>{t('token.warning')}</strong>
      </p>
      <label htmlFor="admin-token-value">{t('token.label')}</label>
      <input
        id="admin-token-value"
        className="admin-token-value"
        readOnly
        value={token}
        autoComplete="off"
        spellCheck={false}
        onFocus={(event) => event.target.select()}
      />
      <div className="actions-row">
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          {t('common:common.copy')}
        </button>
        <button type="button" className="button" onClick={onClose}>
          {t('token.done')}
        </button>
        <span aria-live="polite">
          {copied === true ? t('common:common.copied') : copied === false ? t('token.copyFailed') : ''}
        </span>
      </div>
    </div>
  );
}
