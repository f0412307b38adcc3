import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import type { CatalogueChannel } from '../../ui/channels.ts';
import { useChannelCatalogue } from '../../ui/channels.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { prettyJson } from '../../ui/json.ts';
import { type Verdict, VerdictView } from '../../ui/VerdictView.tsx';
import { ContractForm } from './ContractForm.tsx';
import { isObject, type Json } from './json-path.ts';
import './screen.css';

/** What `POST /v1/screen/<channel>` answers (`ScreenResult`): the verdict, and its case when a person is needed. */
interface ScreenResult extends Verdict {
  readonly case?: { readonly id: string; readonly status: string; readonly reused: boolean };
}

/** A key bound to a shop or agency screens its own applications: the example says so from the start. */
function withOrigin(channel: string, example: unknown, origin: string | null): unknown {
  if (channel !== 'contract' || !origin || !isObject(example)) return example;
  const [kind, id] = origin.split(':', 2);
  if (kind === 'shop' && id) return { ...example, salesChannel: { type: 'shop', shopId: id } };
  if (kind === 'agency' && id) return { ...example, salesChannel: { type: 'agency', agencyId: id } };
  if (kind === 'online') return { ...example, salesChannel: { type: 'online' } };
  return example;
}

function exampleText(channel: CatalogueChannel | undefined, origin: string | null): string {
  if (!channel || channel.example === undefined) return '{\n}\n';
  return `${prettyJson(withOrigin(channel.name, channel.example, origin))}\n`;
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

export function ScreenPage() {
  const { can } = useSession();
  if (!can('screen')) return <Forbidden />;
  return <Screen />;
}

function Screen() {
  const { t, i18n } = useTranslation('screen');
  const language = i18n.language;
  const { me, can } = useSession();
  const search = useSearch({ from: '/screen' });
  const navigate = useNavigate({ from: '/screen' });
  const catalogue = useChannelCatalogue();
  const channels = catalogue.data ?? [];
  const channelName = search.channel ?? channels[0]?.name ?? '';
  const channel = channels.find((c) => c.name === channelName);
  // Each channel keeps its own draft while the page is open.
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const text = drafts[channelName] ?? exampleText(channel, me.origin);
  const setText = (next: string) => setDrafts((d) => ({ ...d, [channelName]: next }));
  const parsed = useMemo(() => parse(text), [text]);
  const [localError, setLocalError] = useState<string | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const ids = useId();

  const screen = useMutation({
    mutationFn: ({ name, body }: { name: string; body: unknown }) =>
      api<ScreenResult>(`/v1/screen/${encodeURIComponent(name)}`, { method: 'POST', body }),
  });
  // A new channel is a new screening: the last verdict no longer answers what is on the page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the channel changes
  useEffect(() => {
    screen.reset();
    setLocalError(null);
  }, [channelName]);
  useEffect(() => {
    if (screen.data || screen.error) resultRef.current?.focus();
  }, [screen.data, screen.error]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok) {
      setLocalError(parsed.message);
      screen.reset();
      resultRef.current?.focus();
      return;
    }
    setLocalError(null);
    screen.mutate({ name: channelName, body: parsed.value });
  };

  const formValue = parsed.ok && isObject(parsed.value) ? (parsed.value as Json) : null;
  const result = screen.data;

  return (
    <section className="page screen-page" aria-labelledby="screen-title">
      <h1 id="screen-title">{t('title')}</h1>
      <p className="help">{t('intro')}</p>
      {me.origin ? <p className="notice notice-info">{t('originNote', { origin: me.origin })}</p> : null}
      <ErrorNotice error={catalogue.error} onRetry={() => void catalogue.refetch()} />
      {catalogue.isPending ? <p aria-busy="true">{t('common:common.loading')}</p> : null}
      {channels.length > 0 ? (
        <form className="screen-form" onSubmit={submit} noValidate>
          <div className="field screen-channel">
            <label htmlFor={`${ids}-channel`}>{t('channel')}</label>
            <select
              id={`${ids}-channel`}
              data-testid="screen-channel"
              value={channelName}
              onChange={(event) => void navigate({ search: { channel: event.target.value } })}
            >
              {channels.map((c) => (
                <option key={c.name} value={c.name}>
                  {pick(c.title, language)}
                </option>
              ))}
            </select>
          </div>
          <div
            className={channelName === 'contract' ? 'screen-editors screen-editors-two' : 'screen-editors'}
          >
            {channelName === 'contract' ? (
              <fieldset className="panel screen-contract">
                <legend>{t('contract.legend')}</legend>
                {formValue ? (
                  <ContractForm
                    value={formValue}
                    origin={me.origin}
                    onChange={(next) => setText(`${prettyJson(next)}\n`)}
                  />
                ) : (
                  <p className="help">{t('contract.needsJson')}</p>
                )}
              </fieldset>
            ) : null}
            <div className="panel screen-json">
              <div className="field">
                <label htmlFor={`${ids}-payload`}>{t('payload')}</label>
                <span id={`${ids}-payload-help`} className="help">
                  {t('payloadHelp', { channel: channelName })}
                </span>
                <textarea
                  id={`${ids}-payload`}
                  data-testid="screen-payload"
                  className="screen-payload"
                  value={text}
                  onChange={(event) => setText(event.target.value)}
                  spellCheck={false}
                  autoCapitalize="off"
                  autoCorrect="off"
                  rows={channelName === 'contract' ? 28 : 14}
                  aria-describedby={`${ids}-payload-help`}
                  aria-invalid={!parsed.ok}
                />
              </div>
              {!parsed.ok ? <p className="screen-json-state">{t('jsonInvalidShort')}</p> : null}
              <div className="actions-row">
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => setText(exampleText(channel, me.origin))}
                >
                  {t('resetExample')}
                </button>
              </div>
            </div>
          </div>
          <div className="actions-row">
            <button
              type="submit"
              className="button button-primary"
              data-testid="screen-submit"
              disabled={screen.isPending}
            >
              {screen.isPending ? t('submitting') : t('submit')}
            </button>
          </div>
        </form>
      ) : null}

      <div
        className="screen-result"
        data-testid="screen-result"
        ref={resultRef}
        tabIndex={-1}
        aria-live="polite"
        aria-busy={screen.isPending}
      >
        {localError ? (
          <div className="notice notice-error" role="alert">
            <strong>{t('jsonInvalid')}</strong>
            <p className="mono">{localError}</p>
          </div>
        ) : null}
        <ErrorNotice error={screen.error} />
        {result ? (
          <>
            <h2>{t('result')}</h2>
            {result.case ? (
              <p className="notice notice-info screen-case">
                {result.case.reused ? t('caseReused') : t('caseOpened')}{' '}
                {can('cases:read') ? (
                  <Link
                    to="/cases/$caseId"
                    params={{ caseId: result.case.id }}
                    data-testid="screen-case-link"
                  >
                    {t('openCase', { id: result.case.id })}
                  </Link>
                ) : (
                  <code>{result.case.id}</code>
                )}
              </p>
            ) : null}
            <VerdictView verdict={result} headingLevel={3} />
            {can('decisions:read') ? (
              <p>
                <Link to="/decisions/$decisionId" params={{ decisionId: result.id }}>
                  {t('openDecision')}
                </Link>
              </p>
            ) : null}
          </>
        ) : null}
      </div>
    </section>
  );
}
