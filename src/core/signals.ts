import { defineSignals } from './signal.ts';

/**
 * Signals the engine itself fires: when a policy's allow or deny list
 * matches, and when checks could not run because an enrichment they need
 * failed or ran late (a person then decides: `review` unless the policy
 * forces another action, so a lookup that fails never lets an event through
 * unchecked).
 */
export const POLICY_SIGNALS = defineSignals([
  {
    name: 'POLICY_ALLOW_LISTED',
    group: 'policy',
    weight: 0,
    description: { ja: '組織の許可リストに一致しました', en: "Matched the organisation's allow list" },
    reason: {
      ja: '許可リストに登録された {type}（{value}）です',
      en: 'The {type} ({value}) is on the allow list',
    },
  },
  {
    name: 'POLICY_DENY_LISTED',
    group: 'policy',
    weight: 0,
    description: { ja: '組織の拒否リストに一致しました', en: "Matched the organisation's deny list" },
    reason: {
      ja: '拒否リストに登録された {type}（{value}）です',
      en: 'The {type} ({value}) is on the deny list',
    },
  },
  {
    name: 'POLICY_ENRICHMENT_FAILED',
    group: 'policy',
    weight: 0,
    forceAction: 'review',
    explainAlways: true,
    description: {
      ja: '必要な照会に失敗したため、一部の検査を行えませんでした',
      en: 'Some checks could not run: a lookup they need failed',
    },
    reason: {
      ja: '照会（{enrichments}）に失敗したため、{count} 件の検査（{detectors}）を行えませんでした。担当者が確認してください',
      en: 'A lookup ({enrichments}) failed, so {count} checks ({detectors}) could not run; a person should look at it',
    },
  },
]);
