import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { formatTime } from '../../ui/format.ts';
import { prettyJson } from '../../ui/json.ts';
import { fieldDiff, type Json } from './layer.ts';
import { type PolicyVersion, policyKey, useVersion, useVersions, versionsKey } from './queries.ts';

function show(value: Json | undefined): string {
  return value === undefined ? '—' : JSON.stringify(value);
}

/**
 * The channel's versions (who, when, why); one version's layer as JSON, its
 * differences with the current one, and a roll back to it.
 */
export function Versions({
  channel,
  current,
  canWrite,
}: {
  channel: string;
  current: PolicyVersion;
  canWrite: boolean;
}) {
  const { t, i18n } = useTranslation('policies');
  const id = useId();
  const versions = useVersions(channel);
  const [selected, setSelected] = useState<number | null>(null);
  const chosen = useVersion(channel, selected);
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="policy-versions">
      <h2 id={`${id}-title`}>{t('versions.title')}</h2>
      {versions.error ? <ErrorNotice error={versions.error} onRetry={() => void versions.refetch()} /> : null}
      {versions.isPending ? <p role="status">{t('common:common.loading')}</p> : null}
      {versions.data && versions.data.length === 0 ? <p>{t('versions.none')}</p> : null}
      {versions.data && versions.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('versions.version')}
                </th>
                <th scope="col">{t('versions.by')}</th>
                <th scope="col">{t('versions.at')}</th>
                <th scope="col">{t('versions.comment')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('versions.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.data.map((v) => (
                <tr key={v.version} className={v.version === selected ? 'selected' : undefined}>
                  <td className="num">
                    {v.version}
                    {v.version === current.version ? (
                      <span className="badge policies-current">{t('versions.current')}</span>
                    ) : null}
                  </td>
                  <td className="mono">{v.createdBy}</td>
                  <td>{formatTime(v.createdAt, i18n.language)}</td>
                  <td>{v.comment ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="button"
                      aria-pressed={v.version === selected}
                      onClick={() => setSelected(v.version === selected ? null : v.version)}
                    >
                      {t('versions.view', { version: v.version })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {selected !== null && chosen.error ? <ErrorNotice error={chosen.error} /> : null}
      {selected !== null && chosen.data ? (
        <VersionDetail
          key={chosen.data.version}
          channel={channel}
          version={chosen.data}
          current={current}
          canWrite={canWrite}
          onRolledBack={() => setSelected(null)}
        />
      ) : null}
    </section>
  );
}

function VersionDetail({
  channel,
  version,
  current,
  canWrite,
  onRolledBack,
}: {
  channel: string;
  version: PolicyVersion;
  current: PolicyVersion;
  canWrite: boolean;
  onRolledBack: () => void;
}) {
  const { t } = useTranslation('policies');
  const id = useId();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [comment, setComment] = useState('');
  const changes = fieldDiff(current.document, version.document);
  const rollback = useMutation({
    mutationFn: () =>
      api<PolicyVersion>(`/v1/policies/${encodeURIComponent(channel)}/rollback`, {
        method: 'POST',
        body: { version: version.version, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(policyKey(channel), saved);
      await queryClient.invalidateQueries({ queryKey: versionsKey(channel) });
      await queryClient.invalidateQueries({ queryKey: policyKey(channel) });
      onRolledBack();
    },
  });
  const isCurrent = version.version === current.version;
  return (
    <section className="policies-version" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('versions.detail', { version: version.version })}</h3>
      <div className="grid-2">
        <div>
          <h4>{t('versions.document')}</h4>
          <pre data-testid="policy-version-json">{prettyJson(version.document)}</pre>
        </div>
        <div>
          <h4>{t('versions.diff', { current: current.version })}</h4>
          {changes.length === 0 ? (
            <p>{t('versions.same')}</p>
          ) : (
            <div className="table-wrap">
              <table className="policies-diff">
                <thead>
                  <tr>
                    <th scope="col">{t('versions.path')}</th>
                    <th scope="col">{t('versions.inCurrent', { version: current.version })}</th>
                    <th scope="col">{t('versions.inThis', { version: version.version })}</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map((c) => (
                    <tr key={c.path}>
                      <th scope="row" className="mono">
                        {c.path}
                      </th>
                      <td className="mono policies-del">{show(c.before)}</td>
                      <td className="mono policies-add">{show(c.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </div>
      {canWrite && !isCurrent ? (
        confirming ? (
          <fieldset className="notice notice-info">
            <legend>{t('versions.confirm', { version: version.version })}</legend>
            <div className="field">
              <label htmlFor={`${id}-comment`}>{t('versions.rollbackComment')}</label>
              <input
                id={`${id}-comment`}
                type="text"
                value={comment}
                maxLength={2000}
                onChange={(event) => setComment(event.target.value)}
              />
            </div>
            <div className="actions-row">
              <button
                type="button"
                className="button button-danger"
                disabled={rollback.isPending}
                onClick={() => rollback.mutate()}
              >
                {t('versions.confirmRollback', { version: version.version })}
              </button>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                {t('common:common.cancel')}
              </button>
            </div>
          </fieldset>
        ) : (
          <div className="actions-row">
            <button type="button" className="button" onClick={() => setConfirming(true)}>
              {t('versions.rollback', { version: version.version })}
            </button>
          </div>
        )
      ) : null}
      {rollback.error ? <ErrorNotice error={rollback.error} /> : null}
    </section>
  );
}
