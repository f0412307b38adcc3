import { useTranslation } from 'react-i18next';

/** What a page shows to a key without the permission (the API would refuse it anyway). */
export function Forbidden() {
  const { t } = useTranslation();
  return (
    <section className="page" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
    </section>
  );
}
