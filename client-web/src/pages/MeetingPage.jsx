import { useEffect, useState } from 'preact/hooks';
import { archiveMeeting, endMeeting, getAgenda, getMeeting, publishMeeting, startMeeting } from '../api.js';
import { t } from '../i18n.js';
import { onLive } from '../live.js';
import { isPostponed, meetingRights } from '../meetings.js';
import { onNotifications, readMeetingNotifications } from '../notifications.js';
import { formatRange } from '../time.js';
import { AgendaEditor } from '../components/AgendaEditor.jsx';
import { AgendaView } from '../components/AgendaView.jsx';
import { AttendanceBoard } from '../components/AttendanceBoard.jsx';
import { DocumentsPanel } from '../components/DocumentsPanel.jsx';
import { ConfirmDialog } from '../components/ConfirmDialog.jsx';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { InvitePanel } from '../components/InvitePanel.jsx';
import { CancelDialog, PostponeDialog } from '../components/LifecycleDialogs.jsx';
import { Link } from '../components/Link.jsx';
import { KindBadges, StatusBadge } from '../components/MeetingBadges.jsx';
import { MeetingForm } from '../components/MeetingForm.jsx';
import { MyInvitation } from '../components/MyInvitation.jsx';
import { OpinionsPanel } from '../components/OpinionsPanel.jsx';
import { Page } from '../components/Page.jsx';
import { MeetingTasks } from '../components/MeetingTasks.jsx';
import { MinutesPanel } from '../components/MinutesPanel.jsx';
import { SignedMinutes } from '../components/SignedMinutes.jsx';
import { minutesRights } from '../minutes.js';

const TABS = ['overview', 'documents', 'details', 'agenda', 'invitees', 'attendance', 'opinions', 'minutes', 'notice', 'tasks'];

function initialTab() {
  const wanted = new URLSearchParams(location.search).get('tab');
  return TABS.includes(wanted) ? wanted : 'overview';
}

/** Start, end and archive need only a confirmation; publish too (it notifies everyone). */
const CONFIRMED = {
  publish: { run: publishMeeting, label: 'lifecycle.publish', text: 'lifecycle.publishText' },
  start: { run: startMeeting, label: 'lifecycle.start', text: 'lifecycle.startText' },
  end: { run: endMeeting, label: 'lifecycle.end', text: 'lifecycle.endText' },
  archive: { run: archiveMeeting, label: 'lifecycle.archive', text: 'lifecycle.archiveText' },
};

function Details({ meeting }) {
  const row = (label, value, testId) => (
    <div class="detail">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value || t('common.none')}</dd>
    </div>
  );
  return (
    <dl class="details" data-testid="meeting-details">
      {row(t('meeting.time'), formatRange(meeting.starts_at, meeting.ends_at), 'meeting-time')}
      {row(t('meeting.location'), [meeting.location, meeting.online ? t('meeting.onlineShort') : ''].filter(Boolean).join(' · '), 'meeting-location')}
      {row(t('meeting.kind'), t(`meetingKind.${meeting.kind}`))}
      {row(t('meeting.access'), t(`access.${meeting.access}`))}
      {row(t('meeting.hostUnit'), meeting.host_unit_name)}
      {row(t('meeting.chair'), meeting.chair && `${meeting.chair.full_name}${meeting.chair.title ? ` — ${meeting.chair.title}` : ''}`, 'meeting-chair-name')}
      {row(t('meeting.organisers'), meeting.organisers.map((p) => p.full_name).join(', '))}
      {meeting.description && row(t('meeting.description'), meeting.description)}
    </dl>
  );
}

/**
 * One meeting. Everyone who may read it sees the overview (details, agenda,
 * their invitation with answer buttons). Organisers also get the details form,
 * the agenda editor, the invitation panel and the lifecycle buttons; organisers
 * and the chair get the attendance board.
 */
export function MeetingPage({ user, params }) {
  const id = params.id;
  const [meeting, setMeeting] = useState(null);
  const [agenda, setAgenda] = useState(null);
  const [error, setError] = useState(null);
  const [tab, setTab] = useState(initialTab);
  const [dialog, setDialog] = useState(null); // publish|start|end|archive|postpone|cancel
  const [notice, setNotice] = useState(null);

  const load = async () => {
    try {
      const [m, a] = await Promise.all([getMeeting(id), getAgenda(id)]);
      setMeeting(m);
      setAgenda(a);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    load();
  }, [id]);
  // While the page is open: notifications about this meeting count as read, and
  // a live one (changed, postponed, cancelled…) reloads what is shown.
  const shown = Boolean(meeting);
  useEffect(() => {
    if (!shown) return undefined;
    const markRead = () => readMeetingNotifications(id).catch(() => {});
    markRead();
    const offList = onNotifications(markRead);
    const offLive = onLive('notification', (note) => note?.meeting_id === id && load());
    return () => {
      offList();
      offLive();
    };
  }, [id, shown]);
  const reloadAgenda = async () => {
    const [m, a] = await Promise.all([getMeeting(id), getAgenda(id)]);
    setMeeting(m);
    setAgenda(a);
  };

  if (!meeting) {
    return (
      <Page title={error ? t('meeting.notAvailable') : t('app.loading')}>
        {error ? (
          <>
            <ErrorAlert error={error} testId="page-error" />
            <p><Link href="/">{t('notFound.back')}</Link></p>
          </>
        ) : (
          <p class="loading" role="status">{t('app.loading')}</p>
        )}
      </Page>
    );
  }

  const rights = meetingRights(meeting);
  const afterRights = minutesRights(meeting);
  const tabs = TABS.filter((name) => ({
    overview: true,
    documents: true,
    details: rights.organiser,
    agenda: rights.organiser,
    invitees: rights.seeInvitees,
    attendance: rights.seeAttendance,
    opinions: rights.organiser,
    // after the meeting: the runners edit and sign; everyone else downloads the signed versions
    minutes: afterRights.signedList,
    notice: afterRights.open,
    tasks: afterRights.tasks,
  })[name]);
  const current = tabs.includes(tab) ? tab : 'overview';
  const selectTab = (name) => {
    setTab(name);
    setNotice(null);
    history.replaceState(null, '', name === 'overview' ? location.pathname : `${location.pathname}?tab=${name}`);
  };
  const finish = (updated, message) => {
    setDialog(null);
    setMeeting(updated);
    setNotice(message);
    reloadAgenda().catch(setError);
  };

  const button = (name, label, primary = false) => (
    <button type="button" class={`btn ${primary ? 'btn-primary' : ''}`} data-testid={`meeting-${name}`} onClick={() => setDialog(name)}>
      {t(label)}
    </button>
  );
  // The live room: officials at /meetings/:id/room, commune sites at their kiosk.
  const roomLink = rights.joinRoom && (
    <Link href={user.roles.includes('site') ? `/kiosk/${meeting.id}` : `/meetings/${meeting.id}/room`}
      class={`btn ${meeting.status === 'in_progress' ? 'btn-primary' : ''}`} data-testid="meeting-room-link">
      {t('room.enter')}
    </Link>
  );
  // The chair and the secretaries run the conference from the hall's big screen.
  const hallLink = rights.joinRoom && (rights.organiser || rights.chair) && (
    <Link href={`/meetings/${meeting.id}/hall`} class="btn" data-testid="meeting-hall-link">{t('hall.title')}</Link>
  );
  const actions = (roomLink || rights.publish || rights.start || rights.end || rights.archive || rights.postpone || rights.cancel) && (
    <>
      {roomLink}
      {hallLink}
      {rights.publish && button('publish', 'lifecycle.publish', true)}
      {rights.start && button('start', 'lifecycle.start', true)}
      {rights.end && button('end', 'lifecycle.end', true)}
      {rights.archive && button('archive', 'lifecycle.archive')}
      {rights.postpone && button('postpone', 'lifecycle.postpone')}
      {rights.cancel && button('cancel', 'lifecycle.cancel')}
    </>
  );
  const confirmed = CONFIRMED[dialog];

  return (
    <Page title={meeting.title} actions={actions}>
      <div class="meeting-head" data-testid="meeting-head" data-meeting-id={meeting.id} data-status={meeting.status}>
        <StatusBadge status={meeting.status} postponed={isPostponed(meeting)} />
        <KindBadges meeting={meeting} />
        <span class="meeting-head-time">{formatRange(meeting.starts_at, meeting.ends_at)}</span>
        {meeting.location && <span class="muted">{meeting.location}</span>}
      </div>
      {meeting.status_reason && (
        // cancelled: why; published: postponed, why; later on the reason is history
        <p class={meeting.status === 'cancelled' ? 'alert alert-error' : meeting.status === 'published' ? 'alert alert-warning' : 'muted'}
          data-testid="status-reason">
          {t(meeting.status === 'cancelled' ? 'lifecycle.cancelledBecause' : 'lifecycle.postponedBecause')}: {meeting.status_reason}
        </p>
      )}
      {meeting.status === 'draft' && rights.organiser && (
        <p class="alert alert-warning" data-testid="draft-note">{t('meeting.draftNote')}</p>
      )}
      {meeting.my_roles.includes('substitute') && (
        <p class="alert alert-success" data-testid="substitute-note">{t('meeting.substituteNote')}</p>
      )}
      {notice && <p class="alert alert-success" role="status" data-testid="meeting-notice">{notice}</p>}

      {tabs.length > 1 && (
        <div class="tabs" role="tablist" aria-label={t('meeting.sections')}>
          {tabs.map((name) => (
            <button key={name} type="button" role="tab" class="tab" aria-selected={current === name ? 'true' : 'false'}
              data-testid={`tab-${name}`} onClick={() => selectTab(name)}>
              {t(`meetingTab.${name}`)}
            </button>
          ))}
        </div>
      )}

      {current === 'overview' && (
        <div class="overview" role={tabs.length > 1 ? 'tabpanel' : undefined}>
          <div class="overview-main">
            <section class="card" aria-labelledby="details-title">
              <h2 id="details-title">{t('meeting.detailsTitle')}</h2>
              <Details meeting={meeting} />
            </section>
            <section class="card" aria-labelledby="agenda-title">
              <h2 id="agenda-title">{t('agenda.title')}</h2>
              <AgendaView agenda={agenda} />
            </section>
          </div>
          {meeting.my_invitation && (
            <div class="overview-side">
              <MyInvitation meeting={meeting} user={user} canAnswer={rights.answer}
                onAnswered={(invitation) => {
                  setMeeting((m) => ({ ...m, my_invitation: invitation }));
                  setNotice(t('answer.saved'));
                }} />
            </div>
          )}
        </div>
      )}
      {current === 'details' && (
        <section class="card" role="tabpanel" aria-labelledby="edit-title">
          <h2 id="edit-title">{t('meetingTab.details')}</h2>
          {!rights.editDetails && <p class="alert alert-warning">{t('meeting.readOnlyNow')}</p>}
          <MeetingForm key={meeting.status} meeting={meeting} user={user} readOnly={!rights.editDetails}
            onSaved={(m) => { setMeeting(m); reloadAgenda().catch(setError); }} />
        </section>
      )}
      {current === 'agenda' && (
        rights.editAgenda ? (
          <AgendaEditor meeting={meeting} agenda={agenda} onChanged={reloadAgenda} />
        ) : (
          <section class="card" role="tabpanel">
            <h2>{t('agenda.title')}</h2>
            <p class="alert alert-warning">{t('meeting.readOnlyNow')}</p>
            <AgendaView agenda={agenda} />
          </section>
        )
      )}
      {current === 'documents' && <DocumentsPanel meeting={meeting} agenda={agenda} />}
      {current === 'opinions' && <OpinionsPanel meeting={meeting} />}
      {current === 'invitees' && <InvitePanel meeting={meeting} canInvite={rights.invite} />}
      {current === 'attendance' && <AttendanceBoard meeting={meeting} canRemind={rights.remind} />}
      {current === 'minutes' && (afterRights.open
        ? <MinutesPanel key="minutes" meeting={meeting} agenda={agenda} kind="minutes" />
        : <SignedMinutes meeting={meeting} />)}
      {current === 'notice' && <MinutesPanel key="notice" meeting={meeting} agenda={agenda} kind="notice" />}
      {current === 'tasks' && <MeetingTasks meeting={meeting} agenda={agenda} />}

      {confirmed && (
        <ConfirmDialog title={t(confirmed.label)} text={t(confirmed.text)} confirmLabel={t(confirmed.label)}
          testId={`${dialog}-dialog`}
          onConfirm={async () => finish(await confirmed.run(meeting.id), t(`lifecycle.${dialog}Done`))}
          onClose={() => setDialog(null)} />
      )}
      {dialog === 'postpone' && (
        <PostponeDialog meeting={meeting} onDone={(m) => finish(m, t('lifecycle.postponeDone'))} onClose={() => setDialog(null)} />
      )}
      {dialog === 'cancel' && (
        <CancelDialog meeting={meeting} onDone={(m) => finish(m, t('lifecycle.cancelDone'))} onClose={() => setDialog(null)} />
      )}
    </Page>
  );
}
