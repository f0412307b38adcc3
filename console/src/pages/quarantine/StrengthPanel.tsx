/**
 * A recipient's filter strength (issue 11 item 4, E4): low / standard / high,
 * each explained in what it does to that recipient's mail; shown to any key
 * that reads the quarantine, changed only by a key the API lets change it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { CAN_SET_STRENGTH, STRENGTHS, type Strength, type StrengthSetting } from './model.ts';

export function StrengthPanel({ recipient }: { readonly recipient: string }) {
  const { t } = useTranslation('quarantine');
  const { can } = useSession();
  const queryClient = useQueryClient();
  const headingId = useId();
  const key = ['mail-strength', recipient] as const;
  const current = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<StrengthSetting>('/v1/mail/strength', { query: { recipient }, signal }),
    retry: false,
  });
  const [chosen, setChosen] = useState<Strength | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const shown = current.data?.strength;
  // The choice follows what the server says (after a save too); the 'saved' note only lasts for this recipient.
  useEffect(() => setChosen(shown), [shown]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: another recipient starts over
  useEffect(() => setSaved(false), [recipient]);
  const save = useMutation({
    mutationFn: (strength: Strength) =>
      api<StrengthSetting>('/v1/mail/strength', { method: 'POST', body: { recipient, strength } }),
    onSuccess: (result) => {
      queryClient.setQueryData(key, result);
      setSaved(true);
    },
  });
  const editable = can(CAN_SET_STRENGTH);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen && chosen !== shown) save.mutate(chosen);
  };
  return (
    <section
      className="panel quarantine-strength"
      aria-labelledby={headingId}
      data-testid="quarantine-strength"
    >
      <h2 id={headingId}>{t('strength.title')}</h2>
      <p className="help">{t('strength.intro')}</p>
      {current.isPending ? <p aria-busy="true">{t('common:common.loading')}</p> : null}
      <ErrorNotice error={current.error} onRetry={() => void current.refetch()} />
      {shown ? (
        <p data-testid="quarantine-strength-current" data-strength={shown}>
          {t('strength.current', { level: t(`strength.level.${shown}.name`) })}
        </p>
      ) : null}
      {shown && editable ? (
        <form onSubmit={submit}>
          <fieldset className="quarantine-strength-choices">
            <legend>{t('strength.choose')}</legend>
            {STRENGTHS.map((level) => (
              // The name alone is the radio's label (its explanation describes it), so each is found by its name.
              <div key={level} className="quarantine-strength-choice">
                <input
                  id={`quarantine-strength-${level}`}
                  type="radio"
                  name="quarantine-strength"
                  value={level}
                  checked={chosen === level}
                  onChange={() => {
                    setChosen(level);
                    setSaved(false);
                  }}
                  aria-describedby={`quarantine-strength-${level}-help`}
                />
                <span>
                  <label htmlFor={`quarantine-strength-${level}`}>{t(`strength.level.${level}.name`)}</label>
                  <span id={`quarantine-strength-${level}-help`} className="help">
                    {t(`strength.level.${level}.what`)}
                  </span>
                </span>
              </div>
            ))}
          </fieldset>
          <div className="actions-row">
            <button
              type="submit"
              className="button button-primary"
              disabled={save.isPending || !chosen || chosen === shown}
            >
              {save.isPending ? t('common:common.loading') : t('strength.save')}
            </button>
          </div>
          <p aria-live="polite" className={saved ? 'notice notice-ok' : 'visually-hidden'}>
            {saved && shown ? t('strength.saved', { level: t(`strength.level.${shown}.name`) }) : ''}
          </p>
          <ErrorNotice error={save.error} />
        </form>
      ) : shown ? (
        <dl className="facts quarantine-strength-levels">
          {STRENGTHS.map((level) => (
            <div key={level}>
              <dt>{t(`strength.level.${level}.name`)}</dt>
              <dd>{t(`strength.level.${level}.what`)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}
