import { useTranslation } from 'react-i18next';
import { pick } from '../../i18n/index.ts';
import { describeSignal, useChannelCatalogue } from '../../ui/channels.ts';
import { formatNumber } from '../../ui/format.ts';
import type { Hit, Reason } from './model.ts';

/**
 * The reasons and the signals behind a case (the case's own copy of its
 * verdict). A key bound to an origin is sent the reasons in the customer's
 * words and no evidence: the table then says the evidence is HQ's.
 */
export function CaseVerdict({
  reasons,
  hits,
  channel,
  score,
}: {
  readonly reasons: readonly Reason[];
  readonly hits: readonly Hit[];
  readonly channel: string;
  readonly score: number;
}) {
  const { t, i18n } = useTranslation('cases');
  const catalogue = useChannelCatalogue();
  return (
    <>
      <h3>{t('verdict.reasons')}</h3>
      {reasons.length === 0 ? (
        <p className="help">{t('verdict.noReasons')}</p>
      ) : (
        <ul className="cases-reasons">
          {reasons.map((reason, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a signal may give two reasons
            <li key={`${reason.signal}:${index}`}>
              <p>{pick(reason, i18n.language)}</p>
              <code className="help">{reason.signal}</code>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('verdict.signals', { score: formatNumber(score, i18n.language, 2) })}</h3>
      {hits.length === 0 ? (
        <p className="help">{t('verdict.noSignals')}</p>
      ) : (
        <div className="table-wrap">
          <table className="cases-hits">
            <thead>
              <tr>
                <th scope="col">{t('verdict.signal')}</th>
                <th scope="col" className="num">
                  {t('common:common.score')}
                </th>
                <th scope="col">{t('verdict.evidence')}</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((hit, index) => {
                const description = describeSignal(catalogue.data, hit.signal, channel);
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a signal may fire twice
                  <tr key={`${hit.signal}:${index}`}>
                    <th scope="row" className="cases-signal">
                      <code>{hit.signal}</code>
                      {description ? <span className="help">{pick(description, i18n.language)}</span> : null}
                      <span className="help mono">{hit.detector}</span>
                    </th>
                    <td className="num">{formatNumber(hit.score, i18n.language, 2)}</td>
                    <td>
                      {hit.evidence.length === 0 ? (
                        <span className="help">{t('verdict.evidenceHidden')}</span>
                      ) : (
                        <ul className="cases-evidence">
                          {hit.evidence.map((line, i) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: evidence lines may repeat
                            <li key={i} className="mono">
                              {line}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
