import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { QuarantineCaseLink } from '../quarantine/QuarantineCaseLink.tsx';

/**
 * What the channel shows the reviewer on a case (`summary.details`): a
 * contract case as tables and facts (lines by SIM type, purpose, pledge, KYC,
 * the holder's history, the ring); any other channel's details as nested
 * facts. Nothing here trusts the shape: an unknown value is shown as text.
 */
export function CaseDetails({
  channel,
  details,
}: {
  readonly channel: string;
  readonly details: Readonly<Record<string, unknown>>;
}) {
  if (channel === 'contract' && isRecord(details.linesRequested))
    return <ContractDetails details={details} />;
  // A mail appeal's case leads back to the quarantined mail (its text and headers).
  if (channel === 'mail' && typeof details.quarantineId === 'string')
    return (
      <>
        <QuarantineCaseLink quarantineId={details.quarantineId} />
        <GenericFacts value={details} depth={0} />
      </>
    );
  return <GenericFacts value={details} depth={0} />;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const SIM_TYPES = ['voice', 'data_sms', 'data'] as const;

function ContractDetails({ details }: { readonly details: Readonly<Record<string, unknown>> }) {
  const { t, i18n } = useTranslation('cases');
  const lang = i18n.language;
  const requested = isRecord(details.linesRequested) ? details.linesRequested : {};
  const held = isRecord(details.linesHeld) ? details.linesHeld : null;
  const kyc = isRecord(details.identityVerification) ? details.identityVerification : null;
  const employment = isRecord(details.employmentVerification) ? details.employmentVerification : null;
  const exception = isRecord(details.approvedException) ? details.approvedException : null;
  const purposes = Array.isArray(details.purposes) ? details.purposes.map(String) : [];
  const count = (value: unknown) => {
    const n = num(value);
    return n === undefined ? '—' : formatNumber(n, lang);
  };

  return (
    <div className="cases-contract">
      <h3>{t('contract.lines')}</h3>
      <div className="table-wrap">
        <table className="cases-lines">
          <thead>
            <tr>
              <th scope="col">{t('contract.simType')}</th>
              <th scope="col" className="num">
                {t('contract.held')}
              </th>
              <th scope="col" className="num">
                {t('contract.requested')}
              </th>
              <th scope="col" className="num">
                {t('contract.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {SIM_TYPES.map((sim) => {
              const h = held ? num(held[sim]) : undefined;
              const r = num(requested[sim]);
              return (
                <tr key={sim}>
                  <th scope="row">{t(`contract.sim.${sim}`)}</th>
                  <td className="num">{held ? count(h) : t('contract.unknown')}</td>
                  <td className="num">{count(r)}</td>
                  <td className="num">
                    {h !== undefined && r !== undefined ? formatNumber(h + r, lang) : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3>{t('contract.application')}</h3>
      <dl className="facts">
        <Fact label={t('contract.applicationId')}>
          <span className="mono">{str(details.applicationId) ?? '—'}</span>
        </Fact>
        <Fact label={t('contract.holderType')}>
          {t(`contract.holderTypes.${str(details.holderType)}`, {
            defaultValue: str(details.holderType) ?? '—',
          })}
        </Fact>
        <Fact label={t('contract.salesChannel')}>
          <SalesChannel value={details.salesChannel} />
        </Fact>
        <Fact label={t('contract.purposes')}>
          {purposes.length === 0 ? (
            <strong>{t('contract.noPurpose')}</strong>
          ) : (
            <ul className="cases-plain">
              {purposes.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </Fact>
        <Fact label={t('contract.pledge')}>
          {details.pledgeSigned === true ? (
            t('contract.pledgeSigned')
          ) : (
            <strong>{t('contract.pledgeNotSigned')}</strong>
          )}
        </Fact>
        <Fact label={t('contract.kyc')}>
          {kyc ? (
            <>
              {t(`contract.kycMethods.${str(kyc.method)}`, { defaultValue: str(kyc.method) ?? '—' })}
              {' · '}
              {t('contract.assurance', { level: str(kyc.assuranceLevel) ?? '—' })}
              {' · '}
              {formatTime(str(kyc.performedAt), lang)}
              {kyc.provider ? ` · ${t('contract.provider', { provider: str(kyc.provider) })}` : null}
            </>
          ) : (
            <strong>{t('contract.noKyc')}</strong>
          )}
        </Fact>
        {details.addedLineAuthentication !== undefined ? (
          <Fact label={t('contract.addedLine')}>{str(details.addedLineAuthentication) ?? '—'}</Fact>
        ) : null}
        {details.corporateNumber !== undefined ? (
          <Fact label={t('contract.corporateNumber')}>
            <span className="mono">{str(details.corporateNumber)}</span>
          </Fact>
        ) : null}
        {details.employmentVerification !== undefined ? (
          <Fact label={t('contract.employment')}>
            {employment
              ? `${str(employment.method) ?? '—'} · ${formatTime(str(employment.verifiedAt), lang)}`
              : t('contract.none')}
          </Fact>
        ) : null}
        <Fact label={t('contract.registeredUsers')}>{count(details.linesWithRegisteredUser)}</Fact>
        <Fact label={t('contract.recentlyCancelled')}>{count(details.recentlyCancelled)}</Fact>
        <Fact label={t('contract.holderKey')}>
          <span className="mono cases-break">{str(details.holderKey) ?? '—'}</span>
        </Fact>
      </dl>
      {exception ? (
        <div className="notice notice-info">
          <strong>{t('contract.exception')}</strong>
          <p>
            {t('contract.exceptionBy', {
              by: str(exception.approvedBy) ?? '—',
              at: formatTime(str(exception.approvedAt), lang),
              caseId: str(exception.caseId) ?? '—',
            })}
          </p>
        </div>
      ) : null}
      <Applications title={t('contract.holderHistory')} value={details.holderHistory} />
      <Applications title={t('contract.sameAddress')} value={details.sameAddressHolders} />
      <Applications title={t('contract.sameDevice')} value={details.sameDeviceHolders} />
    </div>
  );
}

function Fact({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function SalesChannel({ value }: { readonly value: unknown }) {
  const { t } = useTranslation('cases');
  if (typeof value === 'string') return <>{t(`contract.salesChannels.${value}`, { defaultValue: value })}</>;
  if (!isRecord(value)) return <>—</>;
  const type = str(value.type) ?? '—';
  const id = str(value.shopId) ?? str(value.agencyId);
  return (
    <>
      {t(`contract.salesChannels.${type}`, { defaultValue: type })}
      {id ? <span className="mono"> {id}</span> : null}
    </>
  );
}

/** The holder's recent applications, or other holders on the same address or device (the ring). */
function Applications({ title, value }: { readonly title: string; readonly value: unknown }) {
  const { t, i18n } = useTranslation('cases');
  const rows = Array.isArray(value) ? value.filter(isRecord) : [];
  return (
    <>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="help">{t('contract.noApplications')}</p>
      ) : (
        <div className="table-wrap">
          <table className="cases-applications">
            <thead>
              <tr>
                <th scope="col">{t('contract.applicationId')}</th>
                <th scope="col">{t('contract.submittedAt')}</th>
                <th scope="col">{t('contract.salesChannel')}</th>
                <th scope="col" className="num">
                  {t('contract.lineCount')}
                </th>
                <th scope="col">{t('common:common.action')}</th>
                <th scope="col">{t('contract.holderKey')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: two entries may share an application id
                <tr key={`${str(row.applicationId)}:${index}`}>
                  <th scope="row" className="mono">
                    {str(row.applicationId) ?? '—'}
                  </th>
                  <td>{formatTime(str(row.submittedAt), i18n.language)}</td>
                  <td>
                    <SalesChannel value={row.salesChannel} />
                    {row.outlet ? <span className="mono"> {str(row.outlet)}</span> : null}
                  </td>
                  <td className="num">{str(row.lines) ?? '—'}</td>
                  <td>{t(`common:action.${str(row.action)}`, { defaultValue: str(row.action) ?? '—' })}</td>
                  <td className="mono" title={str(row.holderKey)}>
                    {short(str(row.holderKey))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function short(key: string | undefined): string {
  if (!key) return '—';
  return key.length > 12 ? `${key.slice(0, 12)}…` : key;
}

/** Any JSON value as facts: objects as definition lists, arrays as lists, scalars as text. */
export function GenericFacts({ value, depth }: { readonly value: unknown; readonly depth: number }) {
  const { t } = useTranslation('cases');
  if (value === null || value === undefined) return <span className="help">—</span>;
  if (typeof value === 'boolean') return <>{value ? t('common:common.yes') : t('common:common.no')}</>;
  if (typeof value !== 'object') return <span className="cases-break">{String(value)}</span>;
  if (depth > 6) return <code className="cases-break">{JSON.stringify(value)}</code>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="help">{t('common:common.none')}</span>;
    return (
      <ul className="cases-plain">
        {value.map((item, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an array's items have no identity
          <li key={index}>
            <GenericFacts value={item} depth={depth + 1} />
          </li>
        ))}
      </ul>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="help">{t('common:common.none')}</span>;
  return (
    <dl className="facts cases-generic">
      {entries.map(([key, item]) => (
        <Fact key={key} label={key}>
          <GenericFacts value={item} depth={depth + 1} />
        </Fact>
      ))}
    </dl>
  );
}
