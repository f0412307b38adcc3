import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { fieldErrors } from '../../ui/field-errors.ts';
import { INDICATORS_QUERY } from './IndicatorTable.tsx';
import {
  INDICATOR_TYPES,
  type Indicator,
  type IndicatorType,
  SCOPES,
  SENSITIVE_TYPES,
  VERDICTS,
} from './model.ts';

const IDENTITY_FIELDS = ['name', 'birthdate', 'address', 'document'] as const;

interface Draft {
  type: IndicatorType;
  value: string;
  identity: Record<(typeof IDENTITY_FIELDS)[number], string>;
  hashed: boolean;
  verdict: string;
  confidence: string;
  source: string;
  scope: string;
  expiresAt: string;
  tags: string;
  description: string;
}

const EMPTY: Draft = {
  type: 'url',
  value: '',
  identity: { name: '', birthdate: '', address: '', document: '' },
  hashed: false,
  verdict: 'malicious',
  confidence: '80',
  source: '',
  scope: 'org',
  expiresAt: '',
  tags: '',
  description: '',
};

/** The body of `POST /v1/indicators` from the form (empty fields left to the API's defaults). */
function bodyOf(draft: Draft): Record<string, unknown> {
  const identity = Object.fromEntries(
    IDENTITY_FIELDS.filter((f) => draft.identity[f].trim() !== '').map((f) => [f, draft.identity[f].trim()]),
  );
  const tags = draft.tags
    .split(/[,、;]/)
    .map((tag) => tag.trim())
    .filter(Boolean);
  const expires = draft.expiresAt ? new Date(draft.expiresAt) : null;
  return {
    type: draft.type,
    value: draft.type === 'identity' && !draft.hashed ? identity : draft.value.trim(),
    ...(draft.hashed && SENSITIVE_TYPES.has(draft.type) ? { hashed: true } : {}),
    verdict: draft.verdict,
    ...(draft.confidence.trim() === '' ? {} : { confidence: Number(draft.confidence) }),
    ...(draft.source.trim() ? { source: draft.source.trim() } : {}),
    scope: draft.scope,
    ...(expires && !Number.isNaN(expires.getTime()) ? { expiresAt: expires.toISOString() } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
  };
}

function Field({
  id,
  label,
  error,
  help,
  children,
}: {
  readonly id: string;
  readonly label: string;
  readonly error?: string | undefined;
  readonly help?: string | undefined;
  readonly children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {help ? (
        <span id={`${id}-help`} className="help">
          {help}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="indicators-field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Props tying an input to its help and error text. */
function described(id: string, error: string | undefined, help?: boolean) {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined };
}

/** Add (or refresh) one indicator; a 400 names the fields at fault next to them. */
export function AddIndicator() {
  const { t, i18n } = useTranslation('indicators');
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const add = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<Indicator>('/v1/indicators', { method: 'POST', body }),
    onSuccess: () => {
      setDraft((d) => ({ ...EMPTY, type: d.type, source: d.source, scope: d.scope, verdict: d.verdict }));
      void queryClient.invalidateQueries({ queryKey: INDICATORS_QUERY });
    },
  });
  const errors = add.error instanceof ApiError ? fieldErrors(add.error.issues, i18n.language) : {};
  const set =
    (name: keyof Draft) =>
    (event: { target: { value: string } }): void =>
      setDraft((d) => ({ ...d, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(bodyOf(draft));
  };
  // `public` reaches every organisation's screening: only the operator organisation may publish.
  const scopes = SCOPES.filter((scope) => scope !== 'public' || me.operator);
  const sensitive = SENSITIVE_TYPES.has(draft.type);
  const identityForm = draft.type === 'identity' && !draft.hashed;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="ind-add-title">
      <h2 id="ind-add-title">{t('add.title')}</h2>
      <ErrorNotice error={add.error} />
      {add.isSuccess ? (
        <p className="notice notice-ok" role="status">
          {t('add.done', { value: add.data.value })}
        </p>
      ) : null}
      <div className="indicators-form-grid">
        <Field id="ind-add-type" label={t('field.type')} error={errors.type}>
          <select {...described('ind-add-type', errors.type)} value={draft.type} onChange={set('type')}>
            {INDICATOR_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`type.${type}`)}
              </option>
            ))}
          </select>
        </Field>
        {identityForm ? (
          <fieldset className="indicators-identity">
            <legend>{t('field.value')}</legend>
            {IDENTITY_FIELDS.map((f) => (
              <Field key={f} id={`ind-add-id-${f}`} label={t(`identity.${f}`)}>
                <input
                  id={`ind-add-id-${f}`}
                  value={draft.identity[f]}
                  onChange={(event) =>
                    setDraft((d) => ({ ...d, identity: { ...d.identity, [f]: event.target.value } }))
                  }
                />
              </Field>
            ))}
            {errors.value ? <span className="indicators-field-error">{errors.value}</span> : null}
          </fieldset>
        ) : (
          <Field
            id="ind-add-value"
            label={t('field.value')}
            error={errors.value}
            help={sensitive ? t('add.sensitiveHelp') : t('add.valueHelp')}
          >
            <input
              {...described('ind-add-value', errors.value, true)}
              value={draft.value}
              onChange={set('value')}
              required
              spellCheck={false}
            />
          </Field>
        )}
        {sensitive ? (
          <div className="field indicators-check">
            <label>
              <input
                type="checkbox"
                checked={draft.hashed}
                onChange={(event) => setDraft((d) => ({ ...d, hashed: event.target.checked }))}
              />{' '}
              {t('add.hashed')}
            </label>
          </div>
        ) : null}
        <Field id="ind-add-verdict" label={t('field.verdict')} error={errors.verdict}>
          <select
            {...described('ind-add-verdict', errors.verdict)}
            value={draft.verdict}
            onChange={set('verdict')}
          >
            {VERDICTS.map((verdict) => (
              <option key={verdict} value={verdict}>
                {t(`verdict.${verdict}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="ind-add-confidence"
          label={t('field.confidence')}
          error={errors.confidence}
          help={t('add.confidenceHelp')}
        >
          <input
            {...described('ind-add-confidence', errors.confidence, true)}
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            value={draft.confidence}
            onChange={set('confidence')}
          />
        </Field>
        <Field
          id="ind-add-scope"
          label={t('field.scope')}
          error={errors.scope}
          help={t(`scopeHelp.${draft.scope}`)}
        >
          <select
            {...described('ind-add-scope', errors.scope, true)}
            value={draft.scope}
            onChange={set('scope')}
          >
            {scopes.map((scope) => (
              <option key={scope} value={scope}>
                {t(`scope.${scope}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="ind-add-source" label={t('field.source')} error={errors.source} help={t('add.sourceHelp')}>
          <input
            {...described('ind-add-source', errors.source, true)}
            value={draft.source}
            onChange={set('source')}
            maxLength={200}
          />
        </Field>
        <Field
          id="ind-add-expires"
          label={t('field.expiresAt')}
          error={errors.expiresAt}
          help={t('add.expiresHelp')}
        >
          <input
            {...described('ind-add-expires', errors.expiresAt, true)}
            type="datetime-local"
            value={draft.expiresAt}
            onChange={set('expiresAt')}
          />
        </Field>
        <Field id="ind-add-tags" label={t('field.tags')} error={errors.tags} help={t('add.tagsHelp')}>
          <input
            {...described('ind-add-tags', errors.tags, true)}
            value={draft.tags}
            onChange={set('tags')}
          />
        </Field>
      </div>
      <Field id="ind-add-description" label={t('field.description')} error={errors.description}>
        <textarea
          {...described('ind-add-description', errors.description)}
          rows={2}
          maxLength={2000}
          value={draft.description}
          onChange={set('description')}
        />
      </Field>
      <div className="actions-row">
        <button type="submit" className="button button-primary" disabled={add.isPending}>
          {add.isPending ? t('add.busy') : t('add.submit')}
        </button>
      </div>
    </form>
  );
}
