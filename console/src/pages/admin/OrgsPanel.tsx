import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { fieldErrors } from '../../ui/field-errors.ts';
import { formatTime } from '../../ui/format.ts';
import { CURSOR_PAGING, LoadMore } from '../../ui/paging.tsx';
import type { CreatedKey, OrganisationRow } from './model.ts';
import { TokenPanel } from './TokenPanel.tsx';

const ORGS_QUERY = ['orgs'] as const;

/**
 * Organisations (an admin of the operator organisation only): list, create
 * (its first admin key shown once), and record partnerships.
 */
export function OrgsPanel() {
  const { t, i18n } = useTranslation('admin');
  const { me } = useSession();
  const queryClient = useQueryClient();
  const language = i18n.language;
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ organisation: OrganisationRow; admin: CreatedKey } | null>(null);
  const [pair, setPair] = useState({ a: '', b: '' });
  const orgs = useInfiniteQuery({
    queryKey: ORGS_QUERY,
    queryFn: ({ pageParam, signal }) =>
      api<Page<OrganisationRow>>('/v1/orgs', { query: { limit: 100, cursor: pageParam }, signal }),
    ...CURSOR_PAGING,
  });
  const create = useMutation({
    mutationFn: (body: { name: string }) =>
      api<{ organisation: OrganisationRow; admin: CreatedKey }>('/v1/orgs', { method: 'POST', body }),
    onSuccess: (answer) => {
      setCreated(answer);
      setName('');
      void queryClient.invalidateQueries({ queryKey: ORGS_QUERY });
    },
  });
  const partner = useMutation({
    mutationFn: ({ a, b }: { a: string; b: string }) =>
      api<void>(`/v1/orgs/${encodeURIComponent(a)}/partners`, { method: 'POST', body: { partnerOrgId: b } }),
  });
  const rows = orgs.data?.pages.flatMap((page) => page.items) ?? [];
  const nameOf = (id: string) => rows.find((o) => o.id === id)?.name ?? id;
  const nameError =
    create.error instanceof ApiError ? fieldErrors(create.error.issues, language).name : undefined;
  const createOrg = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    create.mutate({ name: name.trim() });
  };
  const addPartner = (event: FormEvent) => {
    event.preventDefault();
    partner.mutate(pair);
  };
  return (
    <section className="panel" aria-labelledby="admin-orgs-title">
      <h2 id="admin-orgs-title">{t('orgs.title')}</h2>
      <p className="help">{t('orgs.lead')}</p>
      <ErrorNotice error={orgs.error} onRetry={() => void orgs.refetch()} />
      <div className="table-wrap">
        <table data-testid="admin-orgs-table">
          <caption className="visually-hidden">{t('orgs.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('orgs.name')}</th>
              <th scope="col">{t('orgs.id')}</th>
              <th scope="col">{t('orgs.created')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((org) => (
              <tr key={org.id}>
                <th scope="row">
                  {org.name}
                  {org.id === me.organisation.id ? (
                    <span className="badge admin-self">{t('orgs.operator')}</span>
                  ) : null}
                </th>
                <td className="mono">{org.id}</td>
                <td>{formatTime(org.createdAt, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore list={orgs} />

      <form onSubmit={createOrg} noValidate aria-labelledby="admin-org-new-title">
        <h3 id="admin-org-new-title">{t('orgs.new')}</h3>
        <ErrorNotice error={create.error} />
        <div className="filters">
          <div className="field">
            <label htmlFor="admin-org-name">{t('orgs.name')}</label>
            <input
              id="admin-org-name"
              value={name}
              maxLength={200}
              required
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'admin-org-name-error' : undefined}
              onChange={(event) => setName(event.target.value)}
            />
            {nameError ? (
              <span id="admin-org-name-error" className="admin-field-error">
                {nameError}
              </span>
            ) : null}
          </div>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? t('orgs.creating') : t('orgs.create')}
          </button>
        </div>
      </form>
      {created ? (
        <TokenPanel
          title={t('token.orgTitle', { name: created.organisation.name })}
          token={created.admin.token}
          onClose={() => setCreated(null)}
        />
      ) : null}

      <form onSubmit={addPartner} noValidate aria-labelledby="admin-partner-title">
        <h3 id="admin-partner-title">{t('partners.title')}</h3>
        <p className="help">{t('partners.lead')}</p>
        <ErrorNotice error={partner.error} />
        {partner.isSuccess ? (
          <p className="notice notice-ok" role="status">
            {t('partners.done', { a: nameOf(partner.variables.a), b: nameOf(partner.variables.b) })}
          </p>
        ) : null}
        <div className="filters">
          <div className="field">
            <label htmlFor="admin-partner-a">{t('partners.a')}</label>
            <select
              id="admin-partner-a"
              value={pair.a}
              onChange={(e) => setPair((p) => ({ ...p, a: e.target.value }))}
            >
              <option value="">{t('partners.choose')}</option>
              {rows.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="admin-partner-b">{t('partners.b')}</label>
            <select
              id="admin-partner-b"
              value={pair.b}
              onChange={(e) => setPair((p) => ({ ...p, b: e.target.value }))}
            >
              <option value="">{t('partners.choose')}</option>
              {rows
                .filter((org) => org.id !== pair.a)
                .map((org) => (
                  <option key={org.id} value={org.id}>
                    {org.name}
                  </option>
                ))}
            </select>
          </div>
          <button
            type="submit"
            className="button button-primary"
            disabled={!pair.a || !pair.b || partner.isPending}
          >
            {t('partners.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
