import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INDICATOR_TYPES, type IndicatorSearch, indicatorSearch, SCOPES, VERDICTS } from './model.ts';

/** The list's filters (the query schema of `GET /v1/indicators`): applied to the URL on submit. */
export function Filters({
  search,
  onSearch,
}: {
  readonly search: IndicatorSearch;
  readonly onSearch: (search: IndicatorSearch) => void;
}) {
  const { t } = useTranslation('indicators');
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    setDraft({
      value: search.value ?? '',
      type: search.type ?? '',
      verdict: search.verdict ?? '',
      scope: search.scope ?? '',
      source: search.source ?? '',
    });
  }, [search]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(indicatorSearch(draft));
  };
  const set = (name: string) => (event: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [name]: event.target.value }));
  return (
    <search aria-label={t('filters.label')}>
      <form className="filters" onSubmit={submit}>
        <div className="field">
          <label htmlFor="ind-f-value">{t('field.value')}</label>
          <input
            id="ind-f-value"
            type="search"
            value={draft.value ?? ''}
            onChange={set('value')}
            maxLength={2048}
            aria-describedby="ind-f-value-help"
          />
          <span id="ind-f-value-help" className="help">
            {t('filters.valueHelp')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="ind-f-type">{t('field.type')}</label>
          <select id="ind-f-type" value={draft.type ?? ''} onChange={set('type')}>
            <option value="">{t('common:common.all')}</option>
            {INDICATOR_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`type.${type}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ind-f-verdict">{t('field.verdict')}</label>
          <select id="ind-f-verdict" value={draft.verdict ?? ''} onChange={set('verdict')}>
            <option value="">{t('common:common.all')}</option>
            {VERDICTS.map((verdict) => (
              <option key={verdict} value={verdict}>
                {t(`verdict.${verdict}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ind-f-scope">{t('field.scope')}</label>
          <select id="ind-f-scope" value={draft.scope ?? ''} onChange={set('scope')}>
            <option value="">{t('common:common.all')}</option>
            {SCOPES.map((scope) => (
              <option key={scope} value={scope}>
                {t(`scope.${scope}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ind-f-source">{t('field.source')}</label>
          <input id="ind-f-source" value={draft.source ?? ''} onChange={set('source')} maxLength={200} />
        </div>
        <button type="submit" className="button button-primary">
          {t('common:common.search')}
        </button>
        <button type="button" className="button button-quiet" onClick={() => onSearch({})}>
          {t('common:common.clear')}
        </button>
      </form>
    </search>
  );
}
