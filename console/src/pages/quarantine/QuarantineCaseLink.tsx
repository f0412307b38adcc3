/**
 * On the case an appeal opened (issue 11 item 4, E4): the way back to the
 * quarantined mail, so that the reviewer who decides the appeal can read its
 * text and headers (the case itself keeps only who, what and why).
 */
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

export function QuarantineCaseLink({ quarantineId }: { readonly quarantineId: string }) {
  const { t } = useTranslation('quarantine');
  return (
    <p className="quarantine-case-link">
      <Link to="/quarantine/$id" params={{ id: quarantineId }} search={{}} data-testid="case-quarantine-link">
        {t('appeal.openMail')}
      </Link>
    </p>
  );
}
