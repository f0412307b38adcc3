import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { CASES_QUERY } from './CaseQueue.tsx';
import { type Case, effectOf, type Resolution, SHARE_INDICATORS, type ShareIndicators } from './model.ts';

/**
 * Resolve a waiting case (cases:resolve only). Each button says what will
 * happen (the effect of the resolution on this case's action, as
 * src/cases/case-effect.ts computes it) before anything happens; a second step
 * repeats it and asks to confirm.
 */
export function ResolvePanel({
  item,
  focus,
  onResolved,
}: {
  readonly item: Case;
  readonly focus: boolean;
  /** Called once the API has resolved the case (the page then shows the outcome in place of this form). */
  readonly onResolved?: () => void;
}) {
  const { t } = useTranslation('cases');
  const queryClient = useQueryClient();
  const id = useId();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const confirmRef = useRef<HTMLHeadingElement>(null);
  const [reason, setReason] = useState('');
  const [label, setLabel] = useState(true);
  const [share, setShare] = useState<ShareIndicators>('none');
  const [choice, setChoice] = useState<Resolution | null>(null);
  const [missingReason, setMissingReason] = useState(false);

  useEffect(() => {
    if (focus) reasonRef.current?.focus();
  }, [focus]);
  useEffect(() => {
    if (choice) confirmRef.current?.focus();
  }, [choice]);

  const resolve = useMutation({
    mutationFn: (resolution: Resolution) =>
      api<Case>(`/v1/cases/${encodeURIComponent(item.id)}/resolve`, {
        method: 'POST',
        body: {
          resolution,
          reason: reason.trim(),
          label,
          ...(resolution === 'denied' ? { shareIndicators: share } : {}),
        },
      }),
    onSuccess: () => {
      setChoice(null);
      onResolved?.();
      void queryClient.invalidateQueries({ queryKey: CASES_QUERY });
    },
  });

  function choose(resolution: Resolution) {
    if (reason.trim() === '') {
      setMissingReason(true);
      reasonRef.current?.focus();
      return;
    }
    setMissingReason(false);
    resolve.reset();
    setChoice(resolution);
  }

  const approveEffect = effectOf(item.action, 'approved');
  const denyEffect = effectOf(item.action, 'denied');
  const channelNote = (resolution: Resolution) =>
    t(`resolve.channel.${item.channel}.${effectOf(item.action, resolution)}`, { defaultValue: '' });

  if (resolve.isSuccess) {
    const done = resolve.data;
    return (
      <div className="notice notice-ok" role="status">
        <strong>{t('resolve.done', { status: t(`common:status.${done.status}`) })}</strong>
        {done.effect ? <p>{t(`resolve.effect.${done.effect}`)}</p> : null}
      </div>
    );
  }

  return (
    <form
      className="cases-resolve"
      onSubmit={(e: FormEvent) => e.preventDefault()}
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`}>{t('resolve.title')}</h2>
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t('resolve.reason')}</label>
        <textarea
          id={`${id}-reason`}
          ref={reasonRef}
          rows={3}
          required
          aria-required="true"
          aria-invalid={missingReason}
          aria-describedby={`${id}-reason-help`}
          value={reason}
          maxLength={2000}
          disabled={choice !== null}
          onChange={(e) => setReason(e.target.value)}
        />
        <span id={`${id}-reason-help`} className={missingReason ? 'cases-error-text' : 'help'}>
          {missingReason ? t('resolve.reasonMissing') : t('resolve.reasonHelp')}
        </span>
      </div>
      <div className="field">
        <label className="cases-check">
          <input
            type="checkbox"
            checked={label}
            disabled={choice !== null}
            onChange={(e) => setLabel(e.target.checked)}
          />
          {t('resolve.label')}
        </label>
        <span className="help">{t('resolve.labelHelp')}</span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-share`}>{t('resolve.share')}</label>
        <select
          id={`${id}-share`}
          value={share}
          disabled={choice !== null}
          onChange={(e) => setShare(e.target.value as ShareIndicators)}
          aria-describedby={`${id}-share-help`}
        >
          {SHARE_INDICATORS.map((s) => (
            <option key={s} value={s}>
              {t(`resolve.shareScope.${s}`)}
            </option>
          ))}
        </select>
        <span id={`${id}-share-help`} className="help">
          {t('resolve.shareHelp')}
        </span>
      </div>
      {choice === null ? (
        <div className="cases-resolve-choices">
          <div>
            <button
              type="button"
              className="button button-ok"
              data-testid="case-resolve-approve"
              aria-describedby={`${id}-approve-note`}
              onClick={() => choose('approved')}
            >
              {t(`resolve.approve.${approveEffect}`)}
            </button>
            <p id={`${id}-approve-note`} className="help">
              {channelNote('approved') || t(`resolve.effect.${approveEffect}`)}
            </p>
          </div>
          <div>
            <button
              type="button"
              className="button button-danger"
              data-testid="case-resolve-deny"
              aria-describedby={`${id}-deny-note`}
              onClick={() => choose('denied')}
            >
              {t(`resolve.deny.${denyEffect}`)}
            </button>
            <p id={`${id}-deny-note`} className="help">
              {channelNote('denied') || t(`resolve.effect.${denyEffect}`)}
            </p>
          </div>
        </div>
      ) : (
        <section className="panel cases-confirm" aria-labelledby={`${id}-confirm`}>
          <h3 id={`${id}-confirm`} ref={confirmRef} tabIndex={-1}>
            {t('resolve.confirmTitle')}
          </h3>
          <p>
            <strong>
              {choice === 'approved'
                ? t(`resolve.approve.${approveEffect}`)
                : t(`resolve.deny.${denyEffect}`)}
            </strong>
          </p>
          <p>{channelNote(choice) || t(`resolve.effect.${effectOf(item.action, choice)}`)}</p>
          <dl className="facts">
            <dt>{t('resolve.reason')}</dt>
            <dd className="cases-prewrap">{reason.trim()}</dd>
            <dt>{t('resolve.labelShort')}</dt>
            <dd>{label ? t(`resolve.labelValue.${choice}`) : t('resolve.noLabel')}</dd>
            {choice === 'denied' ? (
              <>
                <dt>{t('resolve.share')}</dt>
                <dd>{t(`resolve.shareScope.${share}`)}</dd>
              </>
            ) : null}
          </dl>
          <ErrorNotice error={resolve.error} />
          <div className="actions-row">
            <button
              type="button"
              className={choice === 'approved' ? 'button button-ok' : 'button button-danger'}
              data-testid="case-resolve-confirm"
              disabled={resolve.isPending}
              onClick={() => resolve.mutate(choice)}
            >
              {resolve.isPending ? t('resolve.sending') : t(`resolve.confirm.${choice}`)}
            </button>
            <button
              type="button"
              className="button"
              disabled={resolve.isPending}
              onClick={() => {
                setChoice(null);
                resolve.reset();
              }}
            >
              {t('resolve.back')}
            </button>
          </div>
        </section>
      )}
    </form>
  );
}
