import { useTranslation } from 'react-i18next';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { useChannelCatalogue } from '../../ui/channels.ts';
import { formatTime } from '../../ui/format.ts';
import { ageOf, type Case, type CaseStatus, isOverdue } from './model.ts';

/** The due time; an overdue case says so in words (超過 / overdue), not by colour alone. */
export function DueText({
  item,
  now,
}: {
  readonly item: Pick<Case, 'status' | 'dueAt'>;
  readonly now: number;
}) {
  const { t, i18n } = useTranslation('cases');
  const overdue = isOverdue(item, now);
  return (
    <span className={overdue ? 'cases-overdue' : undefined}>
      <time dateTime={item.dueAt}>{formatTime(item.dueAt, i18n.language)}</time>
      {overdue ? <strong className="cases-overdue-word"> {t('due.overdue')}</strong> : null}
    </span>
  );
}

/** A channel by its title in the catalogue (`GET /v1/channels`), else by its name. */
export function ChannelName({ name }: { readonly name: string }) {
  const { i18n } = useTranslation();
  const channels = useChannelCatalogue();
  const title = channels.data?.find((c) => c.name === name)?.title;
  return <>{title ? pick(title, i18n.language) : name}</>;
}

export function AssigneeText({ assignee }: { readonly assignee: string | null }) {
  const { t } = useTranslation('cases');
  const { me } = useSession();
  if (!assignee) return <span className="help">{t('assignee.none')}</span>;
  if (assignee === me.keyId) return <>{t('assignee.me')}</>;
  return <span className="mono cases-break">{assignee}</span>;
}

export function StatusText({ status }: { readonly status: CaseStatus }) {
  const { t } = useTranslation();
  return <span className={`cases-status cases-status-${status}`}>{t(`status.${status}`)}</span>;
}

export function AgeText({ createdAt, now }: { readonly createdAt: string; readonly now: number }) {
  const { t } = useTranslation('cases');
  const age = ageOf(createdAt, now);
  return <>{t(`age.${age.unit}`, { count: age.count })}</>;
}
