import { useTranslation } from 'react-i18next';
import { ROLES } from '../../types.ts';
import { PERMISSIONS, ROLE_PERMISSIONS } from './model.ts';

/** What each role may do (read-only; the rule is the server's, src/cases/roles.ts). */
export function RolesTable() {
  const { t } = useTranslation('admin');
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
      <div className="table-wrap">
        <table className="admin-matrix">
          <caption className="visually-hidden">{t('roles.matrix')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('roles.permission')}</th>
              {ROLES.map((role) => (
                <th key={role} scope="col" className="admin-mark">
                  {t(`common:role.${role}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PERMISSIONS.map((permission) => (
              <tr key={permission}>
                <th scope="row">
                  {t(`permission.${permission.replace(':', '_')}`)}
                  <span className="mono admin-id">{permission}</span>
                </th>
                {ROLES.map((role) => {
                  const granted = ROLE_PERMISSIONS[role].includes(permission);
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
    </section>
  );
}
