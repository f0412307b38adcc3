/** Small pieces of the quarantine pages (issue 11 item 4, E4). */
import { useTranslation } from 'react-i18next';
import type { QuarantineStatus } from './model.ts';

/** The action badges' tints (contrast checked there): held like a hold, released like an allow. */
const TINT: Readonly<Record<QuarantineStatus, string>> = {
  quarantined: 'badge-hold',
  released: 'badge-allow',
  deleted: 'quarantine-status-gone',
  expired: 'quarantine-status-gone',
};

/** A quarantined mail's state, in words (not colour alone). */
export function StatusBadge({ status }: { readonly status: QuarantineStatus }) {
  const { t } = useTranslation('quarantine');
  return (
    <span className={`badge quarantine-status ${TINT[status]}`} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}
