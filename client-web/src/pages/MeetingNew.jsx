import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { MeetingForm } from '../components/MeetingForm.jsx';
import { Page } from '../components/Page.jsx';

/** A new draft meeting; once saved, the organiser goes on to its agenda. */
export function MeetingNew({ user }) {
  return (
    <Page title={t('meetingForm.newTitle')}>
      <p class="muted">{t('meetingForm.newIntro')}</p>
      <section class="card">
        <MeetingForm meeting={null} user={user} onCancel={() => navigate('/')}
          onSaved={(meeting) => navigate(`/meetings/${meeting.id}?tab=agenda`)} />
      </section>
    </Page>
  );
}
