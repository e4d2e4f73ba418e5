import { t } from '../i18n.js';
import { Link } from '../components/Link.jsx';
import { Page } from '../components/Page.jsx';

export function NotFound() {
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.text')}</p>
      <p><Link href="/">{t('notFound.back')}</Link></p>
    </Page>
  );
}
