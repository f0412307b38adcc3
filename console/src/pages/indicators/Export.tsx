import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRaw } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { downloadBlob, fileNameOf, type IndicatorSearch } from './model.ts';

const FORMATS = ['csv', 'jsonl'] as const;

/**
 * Export the list under the current filters (`GET /v1/indicators/export`):
 * fetched with the key in the Authorization header, turned into a Blob and
 * downloaded through an object URL — the key never goes into a URL.
 */
export function Export({ search }: { readonly search: IndicatorSearch }) {
  const { t } = useTranslation('indicators');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (format: (typeof FORMATS)[number]) => {
    setBusy(format);
    setError(null);
    try {
      const response = await apiRaw('/v1/indicators/export', {
        query: { ...search, format },
        accept: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      });
      const blob = await response.blob();
      downloadBlob(blob, fileNameOf(response, `indicators.${format}`));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div>
      <div className="actions-row">
        {FORMATS.map((format) => (
          <button
            key={format}
            type="button"
            className="button"
            disabled={busy !== null}
            aria-busy={busy === format}
            onClick={() => void run(format)}
          >
            {busy === format ? t('export.busy') : t(`export.${format}`)}
          </button>
        ))}
      </div>
      <p className="help">{t('export.help')}</p>
      <ErrorNotice error={error} />
    </div>
  );
}
