import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ROLES, type Role } from '../../types.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { fieldErrors } from '../../ui/field-errors.ts';
import { formatTime } from '../../ui/format.ts';
import { CURSOR_PAGING, LoadMore } from '../../ui/paging.tsx';
import { type ApiKey, type CreatedKey, ORIGIN_ROLES } from './model.ts';
import { TokenPanel } from './TokenPanel.tsx';

const KEYS_QUERY = ['keys'] as const;

/** The organisation's API keys: list, create (the token shown once), revoke. */
export function KeysPanel() {
  const { t, i18n } = useTranslation('admin');
  const { me } = useSession();
  const queryClient = useQueryClient();
  const language = i18n.language;
  const [draft, setDraft] = useState<{ name: string; role: Role; origin: string }>({
    name: '',
    role: 'analyst',
    origin: '',
  });
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const keys = useInfiniteQuery({
    queryKey: KEYS_QUERY,
    queryFn: ({ pageParam, signal }) =>
      api<Page<ApiKey>>('/v1/keys', { query: { limit: 100, cursor: pageParam }, signal }),
    ...CURSOR_PAGING,
  });
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<CreatedKey>('/v1/keys', { method: 'POST', body }),
    onSuccess: (answer) => {
      setCreated(answer);
      setDraft({ name: '', role: draft.role, origin: '' });
      void queryClient.invalidateQueries({ queryKey: KEYS_QUERY });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<void>(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS_QUERY }),
  });
  const errors = create.error instanceof ApiError ? fieldErrors(create.error.issues, language) : {};
  const originError = errors.origin ?? errors.outlet;
  const bindable = ORIGIN_ROLES.has(draft.role);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    create.mutate({
      name: draft.name.trim(),
      role: draft.role,
      ...(bindable && draft.origin.trim() ? { origin: draft.origin.trim() } : {}),
    });
  };
  const rows = keys.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel" aria-labelledby="admin-keys-title">
      <h2 id="admin-keys-title">{t('keys.title')}</h2>
      <p className="help">{t('keys.lead')}</p>
      <ErrorNotice error={keys.error} onRetry={() => void keys.refetch()} />
      <ErrorNotice error={revoke.error} />
      <div className="table-wrap">
        <table data-testid="admin-keys-table" aria-busy={keys.isFetching}>
          <caption className="visually-hidden">{t('keys.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('keys.name')}</th>
              <th scope="col">{t('keys.role')}</th>
              <th scope="col">{t('keys.origin')}</th>
              <th scope="col">{t('keys.created')}</th>
              <th scope="col">{t('keys.lastUsed')}</th>
              <th scope="col">{t('keys.status')}</th>
              <th scope="col">{t('keys.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((key) => (
              <tr key={key.id} className={key.revokedAt ? 'admin-revoked' : undefined}>
                <th scope="row" className="admin-key-name">
                  {key.name}
                  <span className="mono admin-id">{key.id}</span>
                  {key.id === me.keyId ? <span className="badge admin-self">{t('keys.self')}</span> : null}
                </th>
                <td>{t(`common:role.${key.role}`)}</td>
                <td className="mono">{key.origin ?? t('keys.anyOrigin')}</td>
                <td>
                  <span className="admin-block">{formatTime(key.createdAt, language)}</span>
                  <span className="help mono">{t('keys.by', { who: key.createdBy })}</span>
                </td>
                <td>{key.lastUsedAt ? formatTime(key.lastUsedAt, language) : t('keys.neverUsed')}</td>
                <td>
                  {key.revokedAt
                    ? t('keys.revokedAt', { time: formatTime(key.revokedAt, language) })
                    : t('keys.active')}
                </td>
                <td>
                  {key.revokedAt || key.id === me.keyId ? null : (
                    <ConfirmButton
                      label={t('keys.revoke')}
                      question={t('keys.revokeQuestion', { name: key.name })}
                      confirmLabel={t('keys.revokeConfirm')}
                      busy={revoke.isPending}
                      onConfirm={() => revoke.mutate(key.id)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {keys.isPending ? <p aria-live="polite">{t('common:common.loading')}</p> : null}
      <LoadMore list={keys} />
      <p className="help">{t('keys.selfHelp')}</p>

      <form onSubmit={submit} noValidate aria-labelledby="admin-key-new-title">
        <h3 id="admin-key-new-title">{t('keys.new')}</h3>
        <ErrorNotice error={create.error} />
        <div className="filters">
          <div className="field">
            <label htmlFor="admin-key-name">{t('keys.name')}</label>
            <input
              id="admin-key-name"
              value={draft.name}
              maxLength={100}
              required
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={errors.name ? 'admin-key-name-error' : undefined}
              onChange={(event) => setDraft((d) => ({ ...d, name: event.target.value }))}
            />
            {errors.name ? (
              <span id="admin-key-name-error" className="admin-field-error">
                {errors.name}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="admin-key-role">{t('keys.role')}</label>
            <select
              id="admin-key-role"
              value={draft.role}
              aria-invalid={errors.role ? true : undefined}
              onChange={(event) => setDraft((d) => ({ ...d, role: event.target.value as Role }))}
            >
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`common:role.${role}`)}
                </option>
              ))}
            </select>
          </div>
          {bindable ? (
            <div className="field admin-origin-field">
              <label htmlFor="admin-key-origin">{t('keys.origin')}</label>
              <input
                id="admin-key-origin"
                value={draft.origin}
                maxLength={132}
                spellCheck={false}
                aria-invalid={originError ? true : undefined}
                aria-describedby={`admin-key-origin-help${originError ? ' admin-key-origin-error' : ''}`}
                onChange={(event) => setDraft((d) => ({ ...d, origin: event.target.value }))}
              />
              <span id="admin-key-origin-help" className="help">
                {t('keys.originHelp')}
              </span>
              {originError ? (
                <span id="admin-key-origin-error" className="admin-field-error">
                  {originError}
                </span>
              ) : null}
            </div>
          ) : null}
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? t('keys.creating') : t('keys.create')}
          </button>
        </div>
      </form>
      {created ? (
        <TokenPanel
          title={t('token.keyTitle', { name: created.key.name })}
          token={created.token}
          onClose={() => setCreated(null)}
        />
      ) : null}
    </section>
  );
}
