import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import {
  defaultAt,
  FieldIssues,
  FieldState,
  type FormContext,
  fieldId,
  JsonField,
  NumberField,
  pathText,
} from './fields.tsx';
import { isObject, type Json, type Path } from './layer.ts';
import type { JsonSchema } from './queries.ts';

/** The JSON Schema node at a path (through properties, additionalProperties, anyOf/oneOf). */
export function schemaAt(schema: JsonSchema | undefined, path: Path): JsonSchema | undefined {
  let node = schema;
  for (const key of path) {
    if (!node) return undefined;
    node = childSchema(node, key);
  }
  return node;
}

function childSchema(node: JsonSchema, key: string): JsonSchema | undefined {
  if (node.properties?.[key]) return node.properties[key];
  if (typeof node.additionalProperties === 'object') return node.additionalProperties;
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
    const found = childSchema(option, key);
    if (found) return found;
  }
  return undefined;
}

function types(node: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  if (!node) return out;
  if (typeof node.type === 'string') out.add(node.type);
  else if (node.type) for (const t of node.type) out.add(t);
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])])
    for (const t of types(option)) out.add(t);
  return out;
}

function enumOf(node: JsonSchema | undefined): readonly string[] | undefined {
  if (!node) return undefined;
  if (node.enum?.every((v) => typeof v === 'string')) return node.enum as string[];
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
    const found = enumOf(option);
    if (found) return found;
  }
  return undefined;
}

/**
 * The channel's `settings`, generated from the effective settings' value
 * types (and the JSON Schema where it says more: enums, numbers that may be
 * null): number, checkbox, text or select, nested fieldsets for objects, a
 * list editor for lists of words and JSON for anything more complex.
 */
export function SettingsFields({
  ctx,
  value,
  schema,
  path = ['settings'],
}: {
  ctx: FormContext;
  value: Json | undefined;
  schema: JsonSchema | undefined;
  path?: Path;
}) {
  if (!isObject(value)) return null;
  return (
    <>
      {Object.entries(value).map(([key, child]) => (
        <SettingField
          key={key}
          ctx={ctx}
          path={[...path, key]}
          value={child}
          schema={schema}
          numberSiblings={Object.values(value).some((v) => typeof v === 'number')}
        />
      ))}
    </>
  );
}

function SettingField({
  ctx,
  path,
  value,
  schema,
  numberSiblings,
}: {
  ctx: FormContext;
  path: Path;
  value: Json;
  schema: JsonSchema | undefined;
  /** A null beside numbers is a number that may be null (a cap of null is no cap). */
  numberSiblings: boolean;
}) {
  const { t } = useTranslation('policies');
  const node = schemaAt(schema, path.slice(1));
  const label = path.slice(1).join('.');
  const kinds = types(node);
  const fallback = defaultAt(ctx, path);
  if (isObject(value)) {
    return (
      <fieldset className="policies-settings-group">
        <legend>
          <code>{path.at(-1)}</code>
        </legend>
        {node?.description ? <p className="help">{node.description}</p> : null}
        <SettingsFields ctx={ctx} value={value} schema={schema} path={path} />
        <FieldState ctx={ctx} path={path} label={label} quiet />
      </fieldset>
    );
  }
  if (
    typeof value === 'number' ||
    (value === null && (kinds.has('number') || kinds.has('integer') || (kinds.size === 0 && numberSiblings)))
  ) {
    const nullable = value === null || kinds.has('null') || fallback === null;
    return (
      <NumberField
        ctx={ctx}
        path={path}
        label={label}
        value={value}
        fallback={fallback}
        emptyIsNull={nullable}
        {...(nullable
          ? { help: `${node?.description ? `${node.description} ` : ''}${t('field.emptyIsNull')}` }
          : node?.description
            ? { help: node.description }
            : {})}
      />
    );
  }
  if (typeof value === 'boolean') return <BooleanField ctx={ctx} path={path} label={label} value={value} />;
  if (typeof value === 'string') {
    const options = enumOf(node);
    return (
      <TextField
        ctx={ctx}
        path={path}
        label={label}
        value={value}
        options={options}
        help={node?.description}
      />
    );
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return (
      <WordListField
        ctx={ctx}
        path={path}
        label={label}
        value={value as string[]}
        options={enumOf(node?.items)}
      />
    );
  }
  return <JsonField ctx={ctx} path={path} label={label} value={value} rows={Array.isArray(value) ? 8 : 1} />;
}

function BooleanField({
  ctx,
  path,
  label,
  value,
}: {
  ctx: FormContext;
  path: Path;
  label: string;
  value: boolean;
}) {
  const id = fieldId(path);
  return (
    <div className="field policies-field policies-check">
      <span className="policies-input-row">
        <input
          id={id}
          type="checkbox"
          checked={value}
          onChange={(event) => ctx.set(path, event.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
        <FieldState ctx={ctx} path={path} label={label} />
      </span>
      <FieldIssues ctx={ctx} path={path} id={id} />
    </div>
  );
}

function TextField({
  ctx,
  path,
  label,
  value,
  options,
  help,
}: {
  ctx: FormContext;
  path: Path;
  label: string;
  value: string;
  options: readonly string[] | undefined;
  help: string | undefined;
}) {
  const id = fieldId(path);
  return (
    <div className="field policies-field">
      <label htmlFor={id}>{label}</label>
      <span className="policies-input-row">
        {options ? (
          <select id={id} value={value} onChange={(event) => ctx.set(path, event.target.value)}>
            {options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : (
          <input id={id} type="text" value={value} onChange={(event) => ctx.set(path, event.target.value)} />
        )}
        <FieldState ctx={ctx} path={path} label={label} />
      </span>
      {help ? <span className="help">{help}</span> : null}
      <FieldIssues ctx={ctx} path={path} id={id} />
    </div>
  );
}

/** A list of words: a checkbox per allowed word when the schema lists them, else one word a line. */
function WordListField({
  ctx,
  path,
  label,
  value,
  options,
}: {
  ctx: FormContext;
  path: Path;
  label: string;
  value: readonly string[];
  options: readonly string[] | undefined;
}) {
  const { t } = useTranslation('policies');
  const id = useId();
  if (options) {
    return (
      <fieldset className="policies-settings-group policies-words">
        <legend>{label}</legend>
        {options.map((option) => (
          <label key={option} className="policies-word">
            <input
              type="checkbox"
              checked={value.includes(option)}
              onChange={(event) =>
                ctx.set(path, event.target.checked ? [...value, option] : value.filter((v) => v !== option))
              }
            />
            <code>{option}</code>
          </label>
        ))}
        <FieldState ctx={ctx} path={path} label={label} />
        <FieldIssues ctx={ctx} path={path} id={id} />
      </fieldset>
    );
  }
  const text = value.join('\n');
  return (
    <div className="field policies-field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        key={text}
        rows={Math.max(2, value.length + 1)}
        defaultValue={text}
        aria-describedby={`${id}-help`}
        onBlur={(event) =>
          ctx.set(
            path,
            event.target.value
              .split('\n')
              .map((line) => line.trim())
              .filter(Boolean),
          )
        }
      />
      <span className="help" id={`${id}-help`}>
        {t('field.oneAline')}
      </span>
      <span className="policies-input-row">
        <FieldState ctx={ctx} path={path} label={label} />
      </span>
      <FieldIssues ctx={ctx} path={path} id={id} />
    </div>
  );
}

export { pathText };
