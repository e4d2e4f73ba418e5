import { t } from '../i18n.js';
import { Link } from '../components/Link.jsx';
import { Page } from '../components/Page.jsx';

/** Shown to a logged-in user who lacks the role for the page. */
export function Forbidden() {
  return (
    <Page title={t('forbidden.title')}>
      <p class="alert alert-error" role="alert" data-testid="forbidden">{t('forbidden.text')}</p>
      <p><Link href="/">{t('notFound.back')}</Link></p>
    </Page>
  );
}
