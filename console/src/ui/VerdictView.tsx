import { useTranslation } from 'react-i18next';
import { pick } from '../i18n/index.ts';
import type { Action, Localized } from '../types.ts';
import { ActionBadge } from './ActionBadge.tsx';
import { describeSignal, useChannelCatalogue } from './channels.ts';
import { formatNumber, formatTime } from './format.ts';
import './verdict.css';

/** One hit of a verdict: what fired, how strongly, why (evidence is empty for an origin-bound key). */
export interface VerdictHit {
  readonly signal: string;
  readonly group?: string;
  readonly detector?: string;
  readonly factor?: number;
  readonly weight?: number;
  readonly score?: number;
  readonly evidence?: readonly string[];
  readonly params?: Readonly<Record<string, string | number>>;
}

/** One reason, the reviewer's text (or the customer's, for an origin-bound key). */
export interface VerdictReason extends Localized {
  readonly signal: string;
  readonly customer?: Localized;
}

export interface VerdictNotice extends Localized {
  readonly code: string;
}

export interface VerdictOutcome {
  readonly detector: string;
  readonly stage: string;
  readonly outcome: 'ok' | 'error' | 'skipped';
  readonly code?: string;
  readonly message?: string;
  readonly hits?: number;
  readonly ms?: number;
}

export interface VerdictEnrichment {
  readonly enrichment: string;
  readonly outcome: 'ok' | 'error';
  readonly cached?: true;
  readonly code?: string;
  readonly message?: string;
  readonly ms?: number;
}

/**
 * The API's verdict (`Verdict` in /openapi.json; src/core/verdict.ts): what a
 * screening answers and what the decision log records. Optional fields are
 * optional here too, so the view holds up to any of them missing.
 */
export interface Verdict {
  readonly id: string;
  readonly orgId?: string;
  readonly channel: string;
  readonly eventId?: string;
  readonly action: Action;
  readonly score: number;
  readonly hits?: readonly VerdictHit[];
  readonly forced?: {
    readonly action: Action;
    readonly by: string;
    readonly kind: 'signal' | 'allow_override' | 'deny_override';
  };
  readonly outcomes?: readonly VerdictOutcome[];
  readonly reasons?: readonly VerdictReason[];
  readonly summary?: Localized;
  readonly notices?: readonly VerdictNotice[];
  readonly enrichments?: readonly VerdictEnrichment[];
  readonly indicators?: readonly { readonly type: string; readonly value: string; readonly field?: string }[];
  readonly policy?: { readonly id: string; readonly version: number; readonly thresholds?: string };
  readonly timings?: Readonly<Record<string, number | undefined>>;
  readonly createdAt?: string;
}

/** `lines=6` → ['lines', '6']; a piece of evidence without `=` has no key. */
export function splitEvidence(item: string): readonly [string | null, string] {
  const at = item.indexOf('=');
  // Only a name-like key (`lines`, `holder.address`) is a key; `https://…?a=b` is one value.
  if (at <= 0 || at > 48 || !/^[A-Za-z_][\w.-]*$/.test(item.slice(0, at))) return [null, item];
  return [item.slice(0, at), item.slice(at + 1)];
}

const TIMING_ORDER = ['pre', 'enrich', 'detect', 'post', 'observe', 'total'] as const;

type HeadingLevel = 2 | 3;

function Heading({ level, children }: { readonly level: HeadingLevel; readonly children: string }) {
  return level === 2 ? <h2>{children}</h2> : <h3>{children}</h3>;
}

/**
 * A verdict as a person reads it (C4): the action and score, the summary,
 * the notices for the recipient, the reasons (ja/en), each signal that fired
 * with its description, weight, score and evidence, what forced the action,
 * the policy version that decided, the ids, the time and the timings.
 * Shared by the case page, the decision page and the screen page.
 */
export function VerdictView({
  verdict,
  headingLevel = 2,
}: {
  readonly verdict: Verdict;
  /** The level of the view's section headings (2 on a page whose only heading is the h1). */
  readonly headingLevel?: HeadingLevel;
}) {
  const { t, i18n } = useTranslation('verdict');
  const language = i18n.language;
  const catalogue = useChannelCatalogue();
  const hits = verdict.hits ?? [];
  const reasons = verdict.reasons ?? [];
  const notices = verdict.notices ?? [];
  const indicators = verdict.indicators ?? [];
  const problems = [
    ...(verdict.outcomes ?? [])
      .filter((o) => o.outcome !== 'ok')
      .map((o) => ({ name: o.detector, outcome: o.outcome, code: o.code, message: o.message })),
    ...(verdict.enrichments ?? [])
      .filter((e) => e.outcome !== 'ok')
      .map((e) => ({ name: e.enrichment, outcome: e.outcome, code: e.code, message: e.message })),
  ];
  const timings = verdict.timings;
  return (
    <article className="verdict" data-testid="verdict" aria-label={t('label')}>
      <div className="verdict-head">
        <span data-testid="verdict-action" data-action={verdict.action}>
          <ActionBadge action={verdict.action} />
        </span>
        <span className="verdict-score">
          {t('score')} <strong className="num">{formatNumber(verdict.score, language, 3)}</strong>
        </span>
        {verdict.summary ? <p className="verdict-summary">{pick(verdict.summary, language)}</p> : null}
      </div>

      {verdict.forced ? (
        <p className="notice notice-info verdict-forced">
          {t(`forced.${verdict.forced.kind}`, {
            action: t(`common:action.${verdict.forced.action}`, { defaultValue: verdict.forced.action }),
            by: verdict.forced.by,
          })}
        </p>
      ) : null}

      {notices.length > 0 ? (
        <section className="verdict-section">
          <Heading level={headingLevel}>{t('notices')}</Heading>
          <ul className="verdict-notices">
            {notices.map((notice) => (
              <li key={notice.code} className="notice verdict-notice" data-code={notice.code}>
                {pick(notice, language)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="verdict-section">
        <Heading level={headingLevel}>{t('reasons')}</Heading>
        {reasons.length === 0 ? (
          <p className="help">{t('noReasons')}</p>
        ) : (
          <ol className="verdict-reasons">
            {reasons.map((reason, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a verdict's reasons never reorder
              <li key={`${reason.signal}:${index}`}>
                {pick(reason, language)}
                {reason.customer ? (
                  <div className="help verdict-customer">
                    {t('customerText', { text: pick(reason.customer, language) })}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="verdict-section">
        <Heading level={headingLevel}>{t('signals')}</Heading>
        {hits.length === 0 ? (
          <p className="help">{t('noSignals')}</p>
        ) : (
          <ul className="verdict-hits">
            {hits.map((hit, index) => {
              const description = describeSignal(catalogue.data, hit.signal, verdict.channel);
              const evidence = hit.evidence ?? [];
              const params = paramsForLanguage(hit.params, language);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: a verdict's hits never reorder
                <li key={`${hit.signal}:${index}`} className="verdict-hit" data-signal={hit.signal}>
                  <div className="verdict-hit-head">
                    <code className="verdict-signal">{hit.signal}</code>
                    {verdict.forced?.kind === 'signal' && verdict.forced.by === hit.signal ? (
                      <span className="verdict-forced-mark">
                        {t('forcedMark', {
                          action: t(`common:action.${verdict.forced.action}`, {
                            defaultValue: verdict.forced.action,
                          }),
                        })}
                      </span>
                    ) : null}
                  </div>
                  {description ? <p className="verdict-description">{pick(description, language)}</p> : null}
                  <dl className="verdict-numbers">
                    {hit.score !== undefined ? (
                      <div>
                        <dt>{t('hitScore')}</dt>
                        <dd className="num">{formatNumber(hit.score, language, 3)}</dd>
                      </div>
                    ) : null}
                    {hit.weight !== undefined ? (
                      <div>
                        <dt>{t('weight')}</dt>
                        <dd className="num">{formatNumber(hit.weight, language, 3)}</dd>
                      </div>
                    ) : null}
                    {hit.factor !== undefined ? (
                      <div>
                        <dt>{t('factor')}</dt>
                        <dd className="num">{formatNumber(hit.factor, language, 3)}</dd>
                      </div>
                    ) : null}
                    {hit.group ? (
                      <div>
                        <dt>{t('group')}</dt>
                        <dd>{hit.group}</dd>
                      </div>
                    ) : null}
                    {hit.detector ? (
                      <div>
                        <dt>{t('detector')}</dt>
                        <dd>{hit.detector}</dd>
                      </div>
                    ) : null}
                  </dl>
                  {evidence.length > 0 || params.length > 0 ? (
                    <details className="verdict-evidence" open>
                      <summary>{t('evidence')}</summary>
                      <dl>
                        {evidence.map((item, i) => {
                          const [key, value] = splitEvidence(item);
                          return (
                            // biome-ignore lint/suspicious/noArrayIndexKey: evidence items may repeat
                            <div key={`e${i}`}>
                              <dt>{key ?? t('evidenceItem')}</dt>
                              <dd>{value}</dd>
                            </div>
                          );
                        })}
                        {params.map(([key, value]) => (
                          <div key={`p:${key}`}>
                            <dt>{key}</dt>
                            <dd>{String(value)}</dd>
                          </div>
                        ))}
                      </dl>
                    </details>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {problems.length > 0 ? (
        <section className="verdict-section">
          <Heading level={headingLevel}>{t('problems')}</Heading>
          <ul className="verdict-problems">
            {problems.map((p) => (
              <li key={`${p.name}:${p.outcome}`}>
                <code>{p.name}</code> {t(`outcome.${p.outcome}`, { defaultValue: p.outcome })}
                {p.code ? <> ({p.code})</> : null}
                {p.message ? <span className="help"> {p.message}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {indicators.length > 0 ? (
        <section className="verdict-section">
          <Heading level={headingLevel}>{t('indicators')}</Heading>
          <ul className="verdict-indicators">
            {indicators.map((ind, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: indicators may repeat across fields
              <li key={`${ind.type}:${ind.value}:${i}`}>
                <span className="badge verdict-type">{ind.type}</span> <code>{ind.value}</code>
                {ind.field ? <span className="help"> {t('field', { field: ind.field })}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="verdict-section">
        <Heading level={headingLevel}>{t('facts')}</Heading>
        <dl className="facts verdict-facts">
          {verdict.policy ? (
            <>
              <dt>{t('policy')}</dt>
              <dd data-testid="verdict-policy">
                {t('policyVersion', { id: verdict.policy.id, version: verdict.policy.version })}
                {verdict.policy.thresholds ? (
                  <span className="help"> {t('thresholds', { name: verdict.policy.thresholds })}</span>
                ) : null}
              </dd>
            </>
          ) : null}
          <dt>{t('channel')}</dt>
          <dd>{verdict.channel}</dd>
          <dt>{t('verdictId')}</dt>
          <dd>
            <code>{verdict.id}</code>
          </dd>
          {verdict.eventId ? (
            <>
              <dt>{t('eventId')}</dt>
              <dd>
                <code>{verdict.eventId}</code>
              </dd>
            </>
          ) : null}
          {verdict.createdAt ? (
            <>
              <dt>{t('time')}</dt>
              <dd>
                <time dateTime={verdict.createdAt}>{formatTime(verdict.createdAt, language)}</time>
              </dd>
            </>
          ) : null}
          {timings ? (
            <>
              <dt>{t('timings')}</dt>
              <dd className="verdict-timings">
                {TIMING_ORDER.filter((stage) => typeof timings[stage] === 'number').map((stage) => (
                  <span key={stage}>
                    {t('timing', {
                      stage: t(`stage.${stage}`),
                      ms: formatNumber(timings[stage] as number, language, 2),
                    })}
                  </span>
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      </section>
    </article>
  );
}

/**
 * A hit's params, without the other language's wording: a detector may give a
 * value in both (`capGroupJa` / `capGroupEn`, used in its reason texts); only
 * the one of the page's language is shown.
 */
function paramsForLanguage(
  params: Readonly<Record<string, string | number>> | undefined,
  language: string,
): [string, string | number][] {
  const entries = Object.entries(params ?? {});
  const keys = new Set(entries.map(([key]) => key));
  const other = language.startsWith('en') ? 'Ja' : 'En';
  const own = other === 'Ja' ? 'En' : 'Ja';
  return entries.filter(([key]) => !(key.endsWith(other) && keys.has(key.slice(0, -2) + own)));
}
