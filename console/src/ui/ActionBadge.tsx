import { useTranslation } from 'react-i18next';
import type { Action } from '../types.ts';

/** A verdict's action as a coloured label (the colour is never the only cue: the word is there). */
export function ActionBadge({ action }: { readonly action: Action | string }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${action}`}>{t(`action.${action}`, { defaultValue: action })}</span>;
}
