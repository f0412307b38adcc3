import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { getAt, has, type Json, type JsonObject, type Path } from './layer.ts';

/**
 * What every field of the generated form shares: the layer, the defaults, the
 * server's problems by path, and whether the key may write.
 */
export interface FormContext {
  readonly layer: JsonObject;
  readonly defaults: JsonObject | undefined;
  readonly issues: ReadonlyMap<string, readonly string[]>;
  readonly readOnly: boolean;
  readonly set: (path: Path, value: Json | undefined) => void;
}

export function pathText(path: Path): string {
  return path.join('.');
}

/** A DOM id for a path (the server's problems point at it). */
export function fieldId(path: Path): string {
  return `policy-field-${path.join('-').replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Whether the field comes from the default or this organisation, and a reset to the default. */
export function FieldState({
  ctx,
  path,
  label,
  quiet = false,
}: {
  ctx: FormContext;
  path: Path;
  label: string;
  /** Say nothing while the field is the default's (for groups of fields). */
  quiet?: boolean;
}) {
  const { t } = useTranslation('policies');
  const own = has(ctx.layer, path);
  if (quiet && !own) return null;
  return (
    <span className="policies-state">
      <span className={own ? 'policies-own' : 'policies-default'}>
        {own ? t('field.own') : t('field.default')}
      </span>
      {own && !ctx.readOnly ? (
        <button
          type="button"
          className="button button-quiet policies-reset"
          onClick={() => ctx.set(path, undefined)}
          aria-label={t('field.resetNamed', { name: label })}
        >
          {t('field.reset')}
        </button>
      ) : null}
    </span>
  );
}

/** The server's problems with one field, shown beside it. */
export function FieldIssues({ ctx, path, id }: { ctx: FormContext; path: Path; id: string }) {
  const messages = ctx.issues.get(pathText(path));
  if (!messages || messages.length === 0) return null;
  return (
    <ul className="policies-issues" id={`${id}-issues`}>
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

function describedBy(ctx: FormContext, path: Path, id: string, help?: string): string | undefined {
  const ids = [help ? `${id}-help` : '', ctx.issues.has(pathText(path)) ? `${id}-issues` : '']
    .filter(Boolean)
    .join(' ');
  return ids || undefined;
}

/**
 * A number field of the layer. Empty means the default; when `emptyIs` is
 * null, empty writes null (removes the default's value, or "no cap").
 */
export function NumberField({
  ctx,
  path,
  label,
  value,
  fallback,
  emptyIsNull = false,
  help,
  compact = false,
}: {
  ctx: FormContext;
  path: Path;
  label: string;
  value: Json | undefined;
  fallback?: Json | undefined;
  emptyIsNull?: boolean;
  help?: string;
  compact?: boolean;
}) {
  const id = fieldId(path);
  const invalid = ctx.issues.has(pathText(path));
  return (
    <div className={compact ? 'policies-cell' : 'field policies-field'}>
      <label htmlFor={id} className={compact ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <span className="policies-input-row">
        <input
          id={id}
          type="number"
          step="any"
          inputMode="decimal"
          value={typeof value === 'number' ? value : ''}
          placeholder={typeof fallback === 'number' ? String(fallback) : undefined}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy(ctx, path, id, help)}
          onChange={(event) => {
            const text = event.target.value;
            if (text === '') ctx.set(path, emptyIsNull ? null : undefined);
            else if (Number.isFinite(event.target.valueAsNumber)) ctx.set(path, event.target.valueAsNumber);
          }}
        />
        <FieldState ctx={ctx} path={path} label={label} />
      </span>
      {help ? (
        <span className="help" id={`${id}-help`}>
          {help}
        </span>
      ) : null}
      <FieldIssues ctx={ctx} path={path} id={id} />
    </div>
  );
}

export function defaultAt(ctx: FormContext, path: Path): Json | undefined {
  return ctx.defaults ? getAt(ctx.defaults, path) : undefined;
}

/** A one-line or multi-line JSON editor for values the form cannot type (lists of objects, null). */
export function JsonField({
  ctx,
  path,
  label,
  value,
  rows = 1,
}: {
  ctx: FormContext;
  path: Path;
  label: string;
  value: Json | undefined;
  rows?: number;
}) {
  const { t } = useTranslation('policies');
  const id = useId();
  const text = JSON.stringify(value ?? null, null, rows > 1 ? 2 : undefined);
  return (
    <div className="field policies-field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        key={text}
        rows={rows > 1 ? Math.min(16, text.split('\n').length + 1) : 1}
        defaultValue={text}
        spellCheck={false}
        aria-describedby={`${id}-help`}
        onBlur={(event) => {
          try {
            const parsed = JSON.parse(event.target.value) as Json;
            ctx.set(path, parsed);
            event.target.setCustomValidity('');
          } catch {
            event.target.setCustomValidity(t('field.badJson'));
            event.target.reportValidity();
          }
        }}
      />
      <span className="help" id={`${id}-help`}>
        {t('field.jsonHelp')}
      </span>
      <FieldState ctx={ctx} path={path} label={label} />
      <FieldIssues ctx={ctx} path={path} id={id} />
    </div>
  );
}
