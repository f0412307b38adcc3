import { type ReactNode, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { getIn, isObject, type Json, setIn } from './json-path.ts';

/** The contract application's enumerations (src/channels/contract/contract-schema.ts). */
const SALES_CHANNELS = ['shop', 'agency', 'online'] as const;
const HOLDER_TYPES = ['person', 'corporation'] as const;
const KYC_METHODS = [
  'jpki_signature',
  'ic_chip_face',
  'ic_chip',
  'document_visual',
  'document_photo',
  'document_copy',
  'reliance',
] as const;
const SIM_TYPES = ['voice', 'data_sms', 'data'] as const;

type Path = readonly (string | number)[];

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** An ISO date-time → a `datetime-local` value in the browser's zone. */
function localOf(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** One labelled control (a plain component, declared once: inputs keep their focus while typing). */
function Field({
  id,
  label,
  children,
  help,
}: {
  readonly id: string;
  readonly label: string;
  readonly children: (id: string) => ReactNode;
  readonly help?: string | undefined;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {help ? <span className="help">{help}</span> : null}
    </div>
  );
}

/**
 * The common fields a shop clerk fills for a contract application, written
 * into the JSON beside it (the JSON stays the whole truth: fields the form
 * does not show are kept as they are). An origin-bound key's outlet is fixed.
 */
export function ContractForm({
  value,
  origin,
  onChange,
}: {
  readonly value: Json;
  readonly origin: string | null;
  readonly onChange: (next: Json) => void;
}) {
  const { t } = useTranslation('screen');
  const ids = useId();
  const set = (path: Path, next: unknown) => onChange(setIn(value, path, next) as Json);
  /** Empty text removes an optional field (the API then treats it as not given). */
  const setText = (path: Path) => (event: { target: { value: string } }) =>
    set(path, event.target.value === '' ? undefined : event.target.value);

  const salesType = str(getIn(value, ['salesChannel', 'type'])) || 'shop';
  const holderType = str(getIn(value, ['holder', 'type'])) || 'person';
  const kyc = getIn(value, ['identityVerification']);
  const lines = Array.isArray(value.lines) ? (value.lines as unknown[]) : [];

  const text = (name: string, label: string, path: Path, extra: { type?: string; help?: string } = {}) => (
    <Field id={`${ids}-${name}`} label={label} help={extra.help}>
      {(id) => (
        <input
          id={id}
          type={extra.type ?? 'text'}
          value={str(getIn(value, path))}
          onChange={setText(path)}
          autoComplete="off"
        />
      )}
    </Field>
  );

  const setSalesType = (type: string) => {
    const current = isObject(value.salesChannel) ? value.salesChannel : {};
    const next: Json = { type };
    if (type === 'shop') next.shopId = current.shopId ?? '';
    if (type === 'agency') next.agencyId = current.agencyId ?? '';
    set(['salesChannel'], next);
  };
  const setHolderType = (type: string) => {
    const holder = isObject(value.holder) ? { ...value.holder } : {};
    holder.type = type;
    if (type === 'corporation') holder.corporation = holder.corporation ?? { corporateNumber: '', name: '' };
    else delete holder.corporation;
    set(['holder'], holder);
  };
  const setKycMethod = (method: string) => {
    if (method === '') return set(['identityVerification'], undefined);
    const current = isObject(kyc) ? kyc : {};
    set(['identityVerification'], {
      assuranceLevel: 2,
      performedAt: new Date().toISOString(),
      ...current,
      method,
    });
  };

  return (
    <div className="screen-contract-form">
      <fieldset className="screen-group">
        <legend>{t('contract.application')}</legend>
        {text('applicationId', t('contract.applicationId'), ['applicationId'])}
        <Field id={`${ids}-salesType`} label={t('contract.salesChannel')}>
          {(id) => (
            <select
              id={id}
              value={salesType}
              onChange={(event) => setSalesType(event.target.value)}
              disabled={origin !== null}
            >
              {SALES_CHANNELS.map((s) => (
                <option key={s} value={s}>
                  {t(`contract.salesType.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {salesType === 'shop' ? (
          <Field id={`${ids}-shopId`} label={t('contract.shopId')}>
            {(id) => (
              <input
                id={id}
                value={str(getIn(value, ['salesChannel', 'shopId']))}
                onChange={setText(['salesChannel', 'shopId'])}
                readOnly={origin !== null}
              />
            )}
          </Field>
        ) : null}
        {salesType === 'agency' ? (
          <Field id={`${ids}-agencyId`} label={t('contract.agencyId')}>
            {(id) => (
              <input
                id={id}
                value={str(getIn(value, ['salesChannel', 'agencyId']))}
                onChange={setText(['salesChannel', 'agencyId'])}
                readOnly={origin !== null}
              />
            )}
          </Field>
        ) : null}
        {origin ? <p className="help">{t('contract.originFixed', { origin })}</p> : null}
      </fieldset>

      <fieldset className="screen-group">
        <legend>{t('contract.holder')}</legend>
        <Field id={`${ids}-holderType`} label={t('contract.holderType')}>
          {(id) => (
            <select id={id} value={holderType} onChange={(event) => setHolderType(event.target.value)}>
              {HOLDER_TYPES.map((h) => (
                <option key={h} value={h}>
                  {t(`contract.holderTypes.${h}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('name', t('contract.name'), ['holder', 'identity', 'name'])}
        {text('birthDate', t('contract.birthDate'), ['holder', 'identity', 'birthDate'], { type: 'date' })}
        {text('address', t('contract.address'), ['holder', 'identity', 'address'])}
        {text('documentSerial', t('contract.documentSerial'), ['holder', 'identity', 'documentSerial'])}
        {holderType === 'corporation' ? (
          <>
            {text(
              'corporateNumber',
              t('contract.corporateNumber'),
              ['holder', 'corporation', 'corporateNumber'],
              {
                help: t('contract.corporateNumberHelp'),
              },
            )}
            {text('corporationName', t('contract.corporationName'), ['holder', 'corporation', 'name'])}
          </>
        ) : null}
      </fieldset>

      <fieldset className="screen-group">
        <legend>{t('contract.kyc')}</legend>
        <Field id={`${ids}-kycMethod`} label={t('contract.kycMethod')}>
          {(id) => (
            <select
              id={id}
              value={str(getIn(value, ['identityVerification', 'method']))}
              onChange={(event) => setKycMethod(event.target.value)}
            >
              <option value="">{t('contract.kycNone')}</option>
              {KYC_METHODS.map((m) => (
                <option key={m} value={m}>
                  {t(`contract.kycMethods.${m}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {isObject(kyc) ? (
          <>
            <Field id={`${ids}-assurance`} label={t('contract.assuranceLevel')}>
              {(id) => (
                <select
                  id={id}
                  value={String(kyc.assuranceLevel ?? 2)}
                  onChange={(event) =>
                    set(['identityVerification', 'assuranceLevel'], Number(event.target.value))
                  }
                >
                  {[1, 2, 3].map((level) => (
                    <option key={level} value={level}>
                      {t('contract.level', { level })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={`${ids}-performedAt`} label={t('contract.performedAt')}>
              {(id) => (
                <input
                  id={id}
                  type="datetime-local"
                  value={localOf(kyc.performedAt)}
                  onChange={(event) => {
                    const date = new Date(event.target.value);
                    if (!Number.isNaN(date.getTime()))
                      set(['identityVerification', 'performedAt'], date.toISOString());
                  }}
                />
              )}
            </Field>
            {text(
              'documentExpiry',
              t('contract.documentExpiry'),
              ['identityVerification', 'documentExpiry'],
              {
                type: 'date',
              },
            )}
            {kyc.method === 'reliance'
              ? text('provider', t('contract.provider'), ['identityVerification', 'provider'])
              : null}
          </>
        ) : null}
      </fieldset>

      <fieldset className="screen-group">
        <legend>{t('contract.lines')}</legend>
        {lines.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a line is its place in the application
          <fieldset key={index} className="screen-line">
            <legend>{t('contract.line', { n: index + 1 })}</legend>
            <Field id={`${ids}-sim-${index}`} label={t('contract.simType')}>
              {(id) => (
                <select
                  id={id}
                  value={str(getIn(line, ['simType'])) || 'voice'}
                  onChange={(event) => set(['lines', index, 'simType'], event.target.value)}
                >
                  {SIM_TYPES.map((s) => (
                    <option key={s} value={s}>
                      {t(`contract.simTypes.${s}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field id={`${ids}-count-${index}`} label={t('contract.count')}>
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={1}
                  max={10000}
                  inputMode="numeric"
                  value={String(getIn(line, ['count']) ?? 1)}
                  onChange={(event) => {
                    const n = Number.parseInt(event.target.value, 10);
                    set(['lines', index, 'count'], Number.isFinite(n) ? n : 1);
                  }}
                />
              )}
            </Field>
            <Field id={`${ids}-purpose-${index}`} label={t('contract.purpose')}>
              {(id) => (
                <input
                  id={id}
                  value={str(getIn(line, ['purpose']))}
                  onChange={setText(['lines', index, 'purpose'])}
                />
              )}
            </Field>
            {lines.length > 1 ? (
              <button
                type="button"
                className="button button-quiet"
                onClick={() =>
                  set(
                    ['lines'],
                    lines.filter((_, i) => i !== index),
                  )
                }
              >
                {t('contract.removeLine', { n: index + 1 })}
              </button>
            ) : null}
          </fieldset>
        ))}
        <button
          type="button"
          className="button"
          onClick={() => set(['lines'], [...lines, { simType: 'voice', count: 1 }])}
        >
          {t('contract.addLine')}
        </button>
      </fieldset>

      <fieldset className="screen-group">
        <legend>{t('contract.other')}</legend>
        <div className="field screen-check">
          <label htmlFor={`${ids}-pledge`}>
            <input
              id={`${ids}-pledge`}
              type="checkbox"
              checked={value.pledgeSigned === true}
              onChange={(event) => set(['pledgeSigned'], event.target.checked)}
            />{' '}
            {t('contract.pledge')}
          </label>
        </div>
        {text('contactPhone', t('contract.contactPhone'), ['contactPhone'], { type: 'tel' })}
        {text('contactEmail', t('contract.contactEmail'), ['contactEmail'], { type: 'email' })}
      </fieldset>
    </div>
  );
}
