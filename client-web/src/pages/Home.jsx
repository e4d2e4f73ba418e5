import { t } from '../i18n.js';
import { Page } from '../components/Page.jsx';

/** Home: greeting and the user's upcoming meetings (meetings come later). */
export function Home({ user }) {
  return (
    <Page title={t('home.title')}>
      <p class="lead">{t('home.welcome', { name: user.full_name })}</p>
      <section class="card" aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">{t('home.upcoming')}</h2>
        <p class="empty" data-testid="meetings-empty">{t('home.noMeetings')}</p>
      </section>
    </Page>
  );
}
