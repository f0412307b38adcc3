import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { type Permission, ROLES, type Role } from '../../types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';

/** `GET /v1/roles`: each role with its permissions (the server's rule). */
interface RolesAnswer {
  readonly items: readonly { readonly role: Role; readonly permissions: readonly Permission[] }[];
}

/** What each role may do (read-only; read from `GET /v1/roles`). */
export function RolesTable() {
  const { t } = useTranslation('admin');
  const roles = useQuery({
    queryKey: ['roles'],
    queryFn: ({ signal }) => api<RolesAnswer>('/v1/roles', { signal }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const items = roles.data?.items ?? [];
  // Rows in the server's order: the first role (admin) names them all; any other after.
  const permissions = [...new Set(items.flatMap((item) => item.permissions))];
  return (
    <section className="panel" aria-labelledby="admin-roles-title">
      <h2 id="admin-roles-title">{t('roles.title')}</h2>
      <dl className="admin-roles">
        {ROLES.map((role) => (
          <div key={role} className="admin-role">
            <dt>{t(`common:role.${role}`)}</dt>
            <dd>{t(`roles.describe.${role}`)}</dd>
          </div>
        ))}
      </dl>
      <p className="help">{t('roles.originNote')}</p>
      <ErrorNotice error={roles.error} onRetry={() => void roles.refetch()} />
      {roles.isPending ? <p aria-busy="true">{t('common:common.loading')}</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="admin-matrix">
            <caption className="visually-hidden">{t('roles.matrix')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('roles.permission')}</th>
                {items.map(({ role }) => (
                  <th key={role} scope="col" className="admin-mark">
                    {t(`common:role.${role}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {permissions.map((permission) => (
                <tr key={permission}>
                  <th scope="row">
                    {t(`permission.${permission.replace(':', '_')}`, { defaultValue: permission })}
                    <span className="mono admin-id">{permission}</span>
                  </th>
                  {items.map(({ role, permissions: allowed }) => {
                    const granted = allowed.includes(permission);
                    return (
                      <td key={role} className={granted ? 'admin-mark admin-yes' : 'admin-mark admin-no'}>
                        <span aria-hidden="true">{granted ? '✓' : '—'}</span>
                        <span className="visually-hidden">{granted ? t('roles.yes') : t('roles.no')}</span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
