import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { useChannelCatalogue } from '../../ui/channels.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatTime } from '../../ui/format.ts';
import { DryRun } from './DryRun.tsx';
import type { FormContext } from './fields.tsx';
import { deepEqual, isObject, type Json, type JsonObject, layerPath, type Path, setField } from './layer.ts';
import { PolicyForm } from './PolicyForm.tsx';
import {
  type PolicySchema,
  type PolicyVersion,
  policyKey,
  usePolicy,
  usePolicySchema,
  versionsKey,
} from './queries.ts';
import { Versions } from './Versions.tsx';
import './policies.css';

/**
 * The defaults the form compares with: the channel's default document, with
 * each declared signal's weight, forced action and `enabled: true`, so that a
 * value set back to the signal's own is taken out of the layer.
 */
function defaultsOf(schema: PolicySchema): JsonObject | undefined {
  if (!schema.defaults) return undefined;
  const signals: Record<string, Json> = {};
  for (const s of schema.signals) {
    signals[s.name] = {
      ...(s.weight === undefined ? {} : { weight: s.weight }),
      forceAction: s.forceAction ?? null,
      enabled: true,
    };
  }
  const given = schema.defaults.signals;
  if (isObject(given))
    for (const [name, setting] of Object.entries(given))
      signals[name] = {
        ...(isObject(signals[name]) ? signals[name] : {}),
        ...(isObject(setting) ? setting : {}),
      };
  return { ...schema.defaults, signals };
}

export function PolicyPage() {
  const { can } = useSession();
  if (!can('policies:read')) return <Forbidden />;
  return <PolicyEditor />;
}

function PolicyEditor() {
  const { t, i18n } = useTranslation('policies');
  const { channel } = useParams({ from: '/policies/$channel' });
  const { can } = useSession();
  const canWrite = can('policies:write');
  const queryClient = useQueryClient();
  const id = useId();
  const catalogue = useChannelCatalogue();
  const policy = usePolicy(channel);
  const schema = usePolicySchema(channel, policy.data);
  const [layer, setLayer] = useState<JsonObject>({});
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const stored = policy.data?.document;
  const storedKey = JSON.stringify(stored ?? null);
  // The draft starts from (and after a save or roll back, returns to) the stored layer.
  // biome-ignore lint/correctness/useExhaustiveDependencies: storedKey stands for stored
  useEffect(() => {
    if (stored) setLayer(stored);
  }, [storedKey]);
  const defaults = useMemo(() => (schema.data ? defaultsOf(schema.data) : undefined), [schema.data]);
  const set = useCallback(
    (path: Path, value: Json | undefined) => {
      setSaved(null);
      setLayer((current) =>
        path.length === 0 ? (isObject(value) ? value : {}) : setField(current, defaults, path, value),
      );
    },
    [defaults],
  );
  const issues = useMemo(() => {
    const map = new Map<string, string[]>();
    if (problem instanceof ApiError)
      for (const issue of problem.issues) {
        const path = layerPath(issue.path);
        const text = i18n.language.startsWith('ja') && issue.ja ? issue.ja : issue.message;
        map.set(path, [...(map.get(path) ?? []), text]);
      }
    return map;
  }, [problem, i18n.language]);
  const save = useMutation({
    mutationFn: () =>
      api<PolicyVersion>(`/v1/policies/${encodeURIComponent(channel)}`, {
        method: 'PUT',
        body: { document: layer, comment: comment.trim() },
      }),
    onMutate: () => setProblem(null),
    onError: (error) => setProblem(error),
    onSuccess: async (version) => {
      setComment('');
      setSaved(version.version);
      queryClient.setQueryData(policyKey(channel), version);
      await queryClient.invalidateQueries({ queryKey: versionsKey(channel) });
    },
  });

  const title = pick(catalogue.data?.find((c) => c.name === channel)?.title, i18n.language) || channel;
  if (policy.error)
    return (
      <PageShell title={title}>
        {<ErrorNotice error={policy.error} onRetry={() => void policy.refetch()} />}
      </PageShell>
    );
  if (!policy.data || (schema.isPending && !schema.error))
    return (
      <PageShell title={title}>
        <p role="status">{t('common:common.loading')}</p>
      </PageShell>
    );
  if (schema.error || !schema.data)
    return (
      <PageShell title={title}>
        <ErrorNotice error={schema.error} onRetry={() => void schema.refetch()} />
      </PageShell>
    );
  const current = policy.data;
  const dirty = !deepEqual(layer, current.document);
  const ctx: FormContext = { layer, defaults, issues, readOnly: !canWrite, set };
  return (
    <PageShell title={title}>
      <dl className="facts policies-facts">
        <dt>{t('current.version')}</dt>
        <dd>{current.version === 0 ? t('current.default') : current.version}</dd>
        {current.version > 0 ? (
          <>
            <dt>{t('current.by')}</dt>
            <dd className="mono">{current.createdBy}</dd>
            <dt>{t('current.at')}</dt>
            <dd>{formatTime(current.createdAt, i18n.language)}</dd>
            <dt>{t('current.comment')}</dt>
            <dd>{current.comment ?? '—'}</dd>
          </>
        ) : null}
        <dt>{t('current.fromDefault')}</dt>
        <dd>
          {current.fromDefault.length === 0 ? (
            t('current.nothingFromDefault')
          ) : (
            <span className="policies-paths">
              {current.fromDefault.map((p) => (
                <code key={p}>{p}</code>
              ))}
            </span>
          )}
        </dd>
      </dl>
      {dirty ? (
        <p className="notice notice-info" role="status">
          {t('draft.dirty')}{' '}
          <button type="button" className="button button-quiet" onClick={() => setLayer(current.document)}>
            {t('draft.discard')}
          </button>
        </p>
      ) : null}

      <PolicyForm ctx={ctx} schema={schema.data} />

      <DryRun channel={channel} layer={layer} onError={setProblem} />

      {canWrite ? (
        <section className="panel" aria-labelledby={`${id}-save`}>
          <h2 id={`${id}-save`}>{t('save.title')}</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              save.mutate();
            }}
          >
            <div className="field">
              <label htmlFor={`${id}-comment`}>{t('save.comment')}</label>
              <textarea
                id={`${id}-comment`}
                rows={2}
                required
                maxLength={2000}
                value={comment}
                aria-describedby={`${id}-comment-help`}
                onChange={(event) => setComment(event.target.value)}
              />
              <span className="help" id={`${id}-comment-help`}>
                {t('save.commentHelp')}
              </span>
            </div>
            <div className="actions-row">
              <button
                type="submit"
                className="button button-primary"
                data-testid="policy-save"
                disabled={save.isPending || comment.trim() === ''}
              >
                {save.isPending ? t('save.saving') : t('save.button')}
              </button>
            </div>
          </form>
          {save.error ? <ErrorNotice error={save.error} /> : null}
          {saved !== null ? (
            <p className="notice notice-ok" role="status">
              {t('save.done', { version: saved })}
            </p>
          ) : null}
        </section>
      ) : null}

      <Versions channel={channel} current={current} canWrite={canWrite} />
    </PageShell>
  );
}

function PageShell({ title, children }: { title: string; children: React.ReactNode }) {
  const { t } = useTranslation('policies');
  return (
    <section className="page policies-page">
      <p className="policies-back">
        <Link to="/policies">{t('list.back')}</Link>
      </p>
      <h1>{t('page.title', { channel: title })}</h1>
      {children}
    </section>
  );
}
