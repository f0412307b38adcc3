import { useQueryClient } from '@tanstack/react-query';
import { type DragEvent, type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiRaw, upload } from '../../api.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { formatNumber } from '../../ui/format.ts';
import { INDICATORS_QUERY } from './IndicatorTable.tsx';
import { downloadBlob, type ImportResult, importTypeOf, type Rejection, SCOPES, VERDICTS } from './model.ts';

const REJECTIONS_PAGE = 1000;

interface Progress {
  readonly sent: number;
  readonly total: number;
}

/**
 * Bulk import (`POST /v1/indicators/import`): a CSV or JSON-lines file, chosen
 * or dropped, sent with a real progress bar (bytes sent; the server reads the
 * body as it arrives), then the report — counts and every rejected line, the
 * rest of them page by page from `GET /v1/imports/{id}/rejections`.
 */
export function ImportPanel() {
  const { t, i18n } = useTranslation('indicators');
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [options, setOptions] = useState({ source: '', scope: '', verdict: '' });
  const [progress, setProgress] = useState<Progress | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [rejections, setRejections] = useState<readonly Rejection[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [moreBusy, setMoreBusy] = useState(false);
  const language = i18n.language;
  const scopes = SCOPES.filter((scope) => scope !== 'public' || me.operator);

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setResult(null);
    setError(null);
    setProgress(null);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) choose(dropped);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setProgress({ sent: 0, total: file.size });
    try {
      // Any other file goes as what the browser says it is: the server answers 415, shown as is.
      const type = importTypeOf(file.name) ?? (file.type || 'application/octet-stream');
      const answer = await upload<ImportResult>(
        '/v1/indicators/import',
        file,
        type,
        (sent, total) => setProgress({ sent, total }),
        { source: options.source.trim(), scope: options.scope, verdict: options.verdict },
      );
      setResult(answer);
      setRejections(answer.rejections);
      setNextCursor(answer.rejected > answer.rejections.length ? String(answer.rejections.length) : null);
      void queryClient.invalidateQueries({ queryKey: INDICATORS_QUERY });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const more = async () => {
    if (!result || nextCursor === null) return;
    setMoreBusy(true);
    try {
      const page = await api<Page<Rejection>>(result.rejectionsUrl, {
        query: { cursor: nextCursor, limit: REJECTIONS_PAGE },
      });
      setRejections((shown) => [...shown, ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (caught) {
      setError(caught);
    } finally {
      setMoreBusy(false);
    }
  };
  const downloadRejections = async () => {
    if (!result) return;
    try {
      const response = await apiRaw(result.rejectionsUrl, { accept: 'application/x-ndjson' });
      downloadBlob(await response.blob(), `rejections-${result.importId}.jsonl`);
    } catch (caught) {
      setError(caught);
    }
  };
  const percent = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  const sentAll = progress !== null && progress.sent >= progress.total;

  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="ind-import-title" noValidate>
      <h2 id="ind-import-title">{t('import.title')}</h2>
      <p className="help">{t('import.lead')}</p>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target only; the file input inside is the keyboard's way in */}
      <div
        className={dragging ? 'indicators-drop dragging' : 'indicators-drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor="ind-import-file">{t('import.file')}</label>
        <input
          id="ind-import-file"
          data-testid="indicator-import-file"
          type="file"
          accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"
          aria-describedby="ind-import-file-help"
          onChange={(event) => choose(event.target.files?.[0] ?? null)}
        />
        <span id="ind-import-file-help" className="help">
          {t('import.fileHelp')}
        </span>
        {file ? (
          <span className="indicators-file-chosen">
            {t('import.chosen', { name: file.name, size: formatNumber(file.size, language) })}
          </span>
        ) : null}
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="ind-import-source">{t('import.source')}</label>
          <input
            id="ind-import-source"
            value={options.source}
            maxLength={200}
            onChange={(event) => setOptions((o) => ({ ...o, source: event.target.value }))}
          />
        </div>
        <div className="field">
          <label htmlFor="ind-import-scope">{t('import.scope')}</label>
          <select
            id="ind-import-scope"
            value={options.scope}
            onChange={(event) => setOptions((o) => ({ ...o, scope: event.target.value }))}
          >
            <option value="">{t('import.fromFile')}</option>
            {scopes.map((scope) => (
              <option key={scope} value={scope}>
                {t(`scope.${scope}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ind-import-verdict">{t('import.verdict')}</label>
          <select
            id="ind-import-verdict"
            value={options.verdict}
            onChange={(event) => setOptions((o) => ({ ...o, verdict: event.target.value }))}
          >
            <option value="">{t('import.fromFile')}</option>
            {VERDICTS.map((verdict) => (
              <option key={verdict} value={verdict}>
                {t(`verdict.${verdict}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="help">{t('import.optionsHelp')}</p>
      <div className="actions-row">
        <button
          type="submit"
          className="button button-primary"
          data-testid="indicator-import-submit"
          disabled={!file || busy}
        >
          {busy ? t('import.busy') : t('import.submit')}
        </button>
      </div>
      {progress ? (
        <div className="indicators-progress">
          <label htmlFor="ind-import-progress">{t('import.progress')}</label>
          <progress
            id="ind-import-progress"
            data-testid="indicator-import-progress"
            max={progress.total || 1}
            value={progress.sent}
          />
          <span aria-live="polite">
            {busy && sentAll
              ? t('import.processing')
              : t('import.sent', {
                  sent: formatNumber(progress.sent, language),
                  total: formatNumber(progress.total, language),
                  percent,
                })}
          </span>
        </div>
      ) : null}
      <ErrorNotice error={error} />
      {result ? (
        <section data-testid="indicator-import-report" aria-labelledby="ind-import-report-title">
          <h3 id="ind-import-report-title">{t('import.report')}</h3>
          <p className={result.rejected > 0 ? 'notice notice-info' : 'notice notice-ok'} role="status">
            {t('import.summary', {
              processed: formatNumber(result.processed, language),
              imported: formatNumber(result.imported, language),
              updated: formatNumber(result.updated, language),
              rejected: formatNumber(result.rejected, language),
            })}
          </p>
          <dl className="facts">
            <dt>{t('import.processed')}</dt>
            <dd className="num">{formatNumber(result.processed, language)}</dd>
            <dt>{t('import.imported')}</dt>
            <dd className="num">{formatNumber(result.imported, language)}</dd>
            <dt>{t('import.updated')}</dt>
            <dd className="num">{formatNumber(result.updated, language)}</dd>
            <dt>{t('import.rejected')}</dt>
            <dd className="num">{formatNumber(result.rejected, language)}</dd>
            <dt>{t('import.id')}</dt>
            <dd className="mono">{result.importId}</dd>
          </dl>
          {result.rejected > 0 ? (
            <>
              <h4>{t('import.rejections')}</h4>
              <div className="table-wrap indicators-rejections">
                <table>
                  <caption className="visually-hidden">{t('import.rejections')}</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        {t('import.line')}
                      </th>
                      <th scope="col">{t('import.field')}</th>
                      <th scope="col">{t('import.message')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rejections.map((rejection) => (
                      <tr key={`${rejection.line}:${rejection.field}:${rejection.message}`}>
                        <th scope="row" className="num">
                          {rejection.line}
                        </th>
                        <td className="mono">{rejection.field}</td>
                        <td>{rejection.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="help">
                {t('import.shown', {
                  shown: formatNumber(rejections.length, language),
                  total: formatNumber(result.rejected, language),
                })}
              </p>
              <div className="actions-row">
                {nextCursor !== null ? (
                  <button type="button" className="button" disabled={moreBusy} onClick={() => void more()}>
                    {moreBusy ? t('common:common.loading') : t('import.more')}
                  </button>
                ) : null}
                <button type="button" className="button" onClick={() => void downloadRejections()}>
                  {t('import.download')}
                </button>
              </div>
            </>
          ) : null}
        </section>
      ) : null}
    </form>
  );
}
