import { defineSignals } from './signal.ts';

/** Signals the engine itself fires when a policy's allow or deny list matches. */
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
]);
