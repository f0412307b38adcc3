import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { pick } from '../../i18n/index.ts';
import { prettyJson } from '../../ui/json.ts';
import { defaultAt, FieldIssues, FieldState, type FormContext, fieldId, NumberField } from './fields.tsx';
import { effectiveAt, getAt, has, isObject, type JsonObject } from './layer.ts';
import type { PolicySchema } from './queries.ts';
import { SettingsFields, schemaAt } from './SettingsFields.tsx';

/**
 * The policy form, generated from the channel's schema: thresholds per
 * raised action, the signals table, group caps, case SLA per case action, the
 * settings, and the raw layer as JSON. It edits the organisation's layer
 * (`document`); what is left out comes from the channel default.
 */
export function PolicyForm({ ctx, schema }: { ctx: FormContext; schema: PolicySchema }) {
  const { t } = useTranslation('policies');
  const raised = schema.actions.filter((a) => a !== 'allow');
  const settings = effectiveAt(ctx.layer, ctx.defaults, ['settings']);
  return (
    <form className="policies-form" data-testid="policy-form" onSubmit={(event) => event.preventDefault()}>
      {ctx.readOnly ? <p className="notice notice-info">{t('form.readOnly')}</p> : null}
      {ctx.defaults === undefined ? <p className="notice notice-info">{t('form.noDefaults')}</p> : null}
      <fieldset className="policies-fieldset" disabled={ctx.readOnly}>
        <legend>
          <h2>{t('thresholds.title')}</h2>
        </legend>
        <p className="help">
          {t('thresholds.help', { order: raised.map((a) => t(`common:action.${a}`)).join(' < ') })}
        </p>
        <div className="policies-thresholds">
          {raised.map((action) => {
            const path = ['thresholds', action];
            const fallback = defaultAt(ctx, path);
            return (
              <NumberField
                key={action}
                ctx={ctx}
                path={path}
                label={t(`common:action.${action}`)}
                value={effectiveAt(ctx.layer, ctx.defaults, path)}
                fallback={has(ctx.layer, path) ? undefined : fallback}
                emptyIsNull={fallback !== undefined}
                help={
                  fallback === undefined
                    ? t('thresholds.noDefault')
                    : t('thresholds.defaultIs', { value: String(fallback) })
                }
              />
            );
          })}
        </div>
      </fieldset>

      <fieldset className="policies-fieldset" disabled={ctx.readOnly}>
        <legend>
          <h2>{t('signals.title')}</h2>
        </legend>
        <p className="help">{t('signals.help')}</p>
        <SignalsTable ctx={ctx} schema={schema} />
      </fieldset>

      <GroupsFields ctx={ctx} schema={schema} />

      <fieldset className="policies-fieldset" disabled={ctx.readOnly}>
        <legend>
          <h2>{t('sla.title')}</h2>
        </legend>
        <p className="help">{t('sla.help')}</p>
        <div className="policies-thresholds">
          {schema.caseActions.map((action) => {
            const path = ['caseSlaHours', action];
            const fallback = defaultAt(ctx, path);
            return (
              <NumberField
                key={action}
                ctx={ctx}
                path={path}
                label={t('sla.label', { action: t(`common:action.${action}`) })}
                value={effectiveAt(ctx.layer, ctx.defaults, path)}
                fallback={has(ctx.layer, path) ? undefined : fallback}
                emptyIsNull={fallback !== undefined}
              />
            );
          })}
        </div>
      </fieldset>

      <fieldset className="policies-fieldset" disabled={ctx.readOnly}>
        <legend>
          <h2>{t('settings.title')}</h2>
        </legend>
        <p className="help">{t('settings.help')}</p>
        {isObject(settings) && Object.keys(settings).length > 0 ? (
          <SettingsFields ctx={ctx} value={settings} schema={schemaAt(schema.document, ['settings'])} />
        ) : (
          <p>{t('settings.none')}</p>
        )}
      </fieldset>

      <RawLayer ctx={ctx} />
    </form>
  );
}

function SignalsTable({ ctx, schema }: { ctx: FormContext; schema: PolicySchema }) {
  const { t, i18n } = useTranslation('policies');
  const layerSignals = getAt(ctx.layer, ['signals']);
  const names = [
    ...schema.signals.map((s) => s.name),
    ...Object.keys(isObject(layerSignals) ? layerSignals : {}).filter(
      (n) => !schema.signals.some((s) => s.name === n),
    ),
  ];
  return (
    <div className="table-wrap">
      <table className="policies-signals">
        <caption className="visually-hidden">{t('signals.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('signals.signal')}</th>
            <th scope="col">{t('signals.group')}</th>
            <th scope="col" className="num">
              {t('signals.defaultWeight')}
            </th>
            <th scope="col">{t('signals.weight')}</th>
            <th scope="col">{t('signals.enabled')}</th>
            <th scope="col">{t('signals.forceAction')}</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const declared = schema.signals.find((s) => s.name === name);
            const weightPath = ['signals', name, 'weight'];
            const enabledPath = ['signals', name, 'enabled'];
            const forcePath = ['signals', name, 'forceAction'];
            const defaultWeight = defaultAt(ctx, weightPath) ?? declared?.weight;
            const enabled = effectiveAt(ctx.layer, ctx.defaults, enabledPath) ?? true;
            const forced = has(ctx.layer, forcePath)
              ? getAt(ctx.layer, forcePath)
              : ctx.defaults && has(ctx.defaults, forcePath)
                ? defaultAt(ctx, forcePath)
                : (declared?.forceAction ?? null);
            // The engine's own signals (the allow and deny lists): a policy may not tune them.
            if (declared && !declared.tunable)
              return (
                <tr key={name}>
                  <th scope="row" className="policies-signal-name">
                    <code>{name}</code>
                    {declared.description ? (
                      <span className="policies-signal-desc">
                        {pick(declared.description, i18n.language)}
                      </span>
                    ) : null}
                  </th>
                  <td>{declared.group ? <code>{declared.group}</code> : '—'}</td>
                  <td className="num">{typeof defaultWeight === 'number' ? defaultWeight : '—'}</td>
                  <td colSpan={3} className="help">
                    {t('signals.engine')}
                  </td>
                </tr>
              );
            const enabledId = fieldId(enabledPath);
            const forceId = fieldId(forcePath);
            return (
              <tr key={name} className={has(ctx.layer, ['signals', name]) ? 'policies-row-own' : undefined}>
                <th scope="row" className="policies-signal-name">
                  <code>{name}</code>
                  {declared?.description ? (
                    <span className="policies-signal-desc">{pick(declared.description, i18n.language)}</span>
                  ) : null}
                </th>
                <td>{declared?.group ? <code>{declared.group}</code> : '—'}</td>
                <td className="num">{typeof defaultWeight === 'number' ? defaultWeight : '—'}</td>
                <td>
                  <NumberField
                    compact
                    ctx={ctx}
                    path={weightPath}
                    label={t('signals.weightOf', { name })}
                    value={getAt(ctx.layer, weightPath)}
                    fallback={defaultWeight}
                  />
                </td>
                <td>
                  <span className="policies-input-row">
                    <input
                      id={enabledId}
                      type="checkbox"
                      checked={enabled === true}
                      onChange={(event) => ctx.set(enabledPath, event.target.checked)}
                    />
                    <label htmlFor={enabledId} className="visually-hidden">
                      {t('signals.enabledOf', { name })}
                    </label>
                    <FieldState ctx={ctx} path={enabledPath} label={t('signals.enabledOf', { name })} />
                  </span>
                  <FieldIssues ctx={ctx} path={enabledPath} id={enabledId} />
                </td>
                <td>
                  <span className="policies-input-row">
                    <label htmlFor={forceId} className="visually-hidden">
                      {t('signals.forceActionOf', { name })}
                    </label>
                    <select
                      id={forceId}
                      value={typeof forced === 'string' ? forced : ''}
                      onChange={(event) =>
                        ctx.set(forcePath, event.target.value === '' ? null : event.target.value)
                      }
                    >
                      <option value="">{t('signals.noForce')}</option>
                      {schema.actions.map((a) => (
                        <option key={a} value={a}>
                          {t(`common:action.${a}`)}
                        </option>
                      ))}
                    </select>
                    <FieldState ctx={ctx} path={forcePath} label={t('signals.forceActionOf', { name })} />
                  </span>
                  <FieldIssues ctx={ctx} path={forcePath} id={forceId} />
                  <FieldIssues ctx={ctx} path={['signals', name]} id={fieldId(['signals', name])} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function GroupsFields({ ctx, schema }: { ctx: FormContext; schema: PolicySchema }) {
  const { t } = useTranslation('policies');
  const defaults = getAt(ctx.defaults, ['groups']);
  const groups = [
    ...new Set([
      ...Object.keys(isObject(defaults) ? defaults : {}),
      ...schema.signals.flatMap((s) => (s.group ? [s.group] : [])),
    ]),
  ];
  if (groups.length === 0) return null;
  return (
    <fieldset className="policies-fieldset" disabled={ctx.readOnly}>
      <legend>
        <h2>{t('groups.title')}</h2>
      </legend>
      <p className="help">{t('groups.help')}</p>
      <div className="policies-thresholds">
        {groups.map((group) => {
          const path = ['groups', group, 'maxScore'];
          const fallback = defaultAt(ctx, path);
          return (
            <NumberField
              key={group}
              ctx={ctx}
              path={path}
              label={t('groups.label', { group })}
              value={effectiveAt(ctx.layer, ctx.defaults, path)}
              fallback={has(ctx.layer, path) ? undefined : fallback}
              emptyIsNull={fallback !== undefined}
            />
          );
        })}
      </div>
    </fieldset>
  );
}

/** The layer as JSON, for experts: read it, or edit and apply it (the form follows). */
function RawLayer({ ctx }: { ctx: FormContext }) {
  const { t } = useTranslation('policies');
  const id = useId();
  const shown = prettyJson(ctx.layer);
  const [text, setText] = useState(shown);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setText(shown);
    setProblem(null);
  }, [shown]);
  return (
    <details className="policies-raw">
      <summary>{t('raw.title')}</summary>
      <p className="help" id={`${id}-help`}>
        {t('raw.help')}
      </p>
      <label htmlFor={id} className="visually-hidden">
        {t('raw.label')}
      </label>
      <textarea
        id={id}
        data-testid="policy-raw"
        rows={Math.min(30, text.split('\n').length + 2)}
        value={text}
        readOnly={ctx.readOnly}
        spellCheck={false}
        aria-describedby={`${id}-help`}
        aria-invalid={problem ? true : undefined}
        onChange={(event) => setText(event.target.value)}
      />
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      {ctx.readOnly ? null : (
        <div className="actions-row">
          <button
            type="button"
            className="button"
            onClick={() => {
              try {
                const parsed = JSON.parse(text) as unknown;
                if (!isObject(parsed)) throw new Error('not an object');
                setProblem(null);
                ctx.set([], parsed as JsonObject);
              } catch {
                setProblem(t('raw.invalid'));
              }
            }}
          >
            {t('raw.apply')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setText(shown)}>
            {t('raw.revert')}
          </button>
        </div>
      )}
    </details>
  );
}
