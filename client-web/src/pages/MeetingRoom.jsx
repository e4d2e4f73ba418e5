import { useState } from 'preact/hooks';
import { hallPublisher, mainPublisher } from '../conference.js';
import { t } from '../i18n.js';
import { roomRights, splitQueue } from '../meetingRoom.js';
import {
  ConferenceAlerts,
  ConferenceBadge,
  MyMediaControls,
  RemoteAudio,
  TrackVideo,
  VideoTile,
  useConference,
} from '../components/Conference.jsx';
import { Link } from '../components/Link.jsx';
import { StatusBadge } from '../components/MeetingBadges.jsx';
import { Page } from '../components/Page.jsx';
import {
  AgendaPanel,
  AnnouncementBanner,
  ConnectionBadge,
  CurrentItem,
  FloorQueue,
  FloorRequest,
  QuorumChip,
  Speaker,
  StageViewer,
  VotePanel,
  useMeetingDocuments,
  useMeetingRoom,
  useNow,
} from '../components/Room.jsx';
import {
  AgendaNext,
  AnnounceForm,
  ConclusionEditor,
  MeetingControls,
  QuorumRuleForm,
  RollCallBoard,
  VoteOpenForm,
} from '../components/RoomConsole.jsx';

/** The runners' tools under the stage: roll-call, quorum rule, conclusions. */
function SecretaryTools({ state, room, rights }) {
  const tabs = ['rollcall', 'quorum', 'conclusions'];
  const [tab, setTab] = useState('rollcall');
  return (
    <section class="card" aria-labelledby="secretary-title" data-testid="secretary-tools">
      <h2 id="secretary-title" class="visually-hidden">{t('room.secretaryTools')}</h2>
      <div class="tabs" role="tablist">
        {tabs.map((name) => (
          <button key={name} type="button" role="tab" class="tab" aria-selected={tab === name ? 'true' : 'false'}
            data-testid={`room-tab-${name}`} onClick={() => setTab(name)}>{t(`room.tab.${name}`)}</button>
        ))}
      </div>
      {tab === 'rollcall' && <RollCallBoard state={state} room={room} canMark={rights.rollCall} />}
      {tab === 'quorum' && <QuorumRuleForm state={state} room={room} />}
      {tab === 'conclusions' && <ConclusionEditor state={state} room={room} canEdit={rights.conclude} />}
    </section>
  );
}

/**
 * The video for an official away from the hall: the hall and whoever holds the floor,
 * one's own picture when the camera is on (off by default), the microphone (opened by the
 * chair with the floor), and a screen share for presenters. The chair and the secretaries
 * are the hall: their camera is sent from the hall display.
 */
function ConferencePanel({ state, room, user, rights, meetingId }) {
  const person = !rights.runner;
  const running = state.meeting.status === 'in_progress';
  const [conf, conference] = useConference(room, person && running, { userId: user.id, camera: false, place: 'person' });
  if (!person) {
    return (
      <section class="card conf-panel" aria-labelledby="conf-title" data-testid="conf-panel" data-mode="hall">
        <h2 id="conf-title">{t('conf.panel')}</h2>
        <p class="muted small">{t('conf.runnerNote')}</p>
        <Link href={`/meetings/${meetingId}/hall`} class="btn btn-primary btn-block" data-testid="hall-link">{t('conf.openHall')}</Link>
      </section>
    );
  }
  if (!running || !conf) {
    return (
      <section class="card conf-panel" aria-labelledby="conf-title" data-testid="conf-panel" data-mode="waiting">
        <h2 id="conf-title">{t('conf.panel')}</h2>
        <p class="muted small">{running ? t('conf.status.starting') : t('conf.notStarted')}</p>
      </section>
    );
  }
  const hall = hallPublisher(conf.publishers, state.meeting.chair_id);
  const { publisher: other, reason } = mainPublisher(conf.publishers, conf.floor_user_id, conf.spotlight_user_id, [
    conf.my_publisher_id,
    `${conf.my_publisher_id}:screen`,
    hall?.publisher_id,
  ]);
  return (
    <section class="card conf-panel" aria-labelledby="conf-title" data-testid="conf-panel" data-mode="person">
      <h2 id="conf-title" class="conf-panel-head">{t('conf.panel')} <ConferenceBadge state={conf} /></h2>
      <ConferenceAlerts state={conf} conference={conference} />
      <VideoTile publisher={hall} track={hall ? conf.remote[hall.publisher_id]?.video || null : null} testId="room-hall-video"
        title={t('kiosk.hall')} subtitle={hall?.unit_name} placeholder={hall ? null : t('kiosk.noHall')} active={hall && conf.active_speaker === hall.publisher_id}>
        {conf.local.video && (
          <div class="kiosk-self small-self" data-testid="room-self">
            <TrackVideo track={conf.local.video} mirror publisherId={conf.my_publisher_id} testId="self-video" />
          </div>
        )}
      </VideoTile>
      {other && (
        <VideoTile publisher={other} track={conf.remote[other.publisher_id]?.video || null} testId="room-floor-video" role={reason}
          subtitle={reason === 'floor' ? t('room.speaking') : reason === 'spotlight' ? t('conf.spotlight') : t('conf.screen')}
          floor={reason === 'floor'} spotlight={reason === 'spotlight'} downgraded={conf.downgraded.includes(other.publisher_id)} />
      )}
      <MyMediaControls state={conf} conference={conference} canShare={rights.present} />
      <RemoteAudio remote={conf.remote} />
    </section>
  );
}

/**
 * The live meeting room for officials (/meetings/:id/room): the current item with its clock
 * and documents, the presented page following the presenter, the speaker queue, the vote,
 * announcements and the quorum. The chair's console and the secretary's tools appear for
 * those roles.
 */
export function MeetingRoom({ user, params }) {
  const [state, room] = useMeetingRoom(params.id);
  const [documents, reloadDocuments] = useMeetingDocuments(params.id);
  const now = useNow();

  if (!state || !state.ready) {
    const refused = state?.connection === 'refused';
    return (
      <Page title={refused ? t('room.refusedTitle') : t('room.title')}>
        {refused ? (
          <>
            <p class="alert alert-error" role="alert" data-testid="room-refused" data-code={state.error?.code}>{state.error?.message}</p>
            <p><Link href={`/meetings/${params.id}`}>{t('room.backToMeeting')}</Link></p>
          </>
        ) : (
          <p class="loading" role="status" data-testid="room-loading">{t('room.connecting')}</p>
        )}
      </Page>
    );
  }

  const status = state.meeting.status;
  const rights = roomRights(state.my_roles, status);
  const { speaker } = splitQueue(state.floor.queue);
  const actions = (
    <>
      <ConnectionBadge state={state} />
      <Link href={`/meetings/${params.id}`} class="btn" data-testid="room-back">{t('room.backToMeeting')}</Link>
    </>
  );
  return (
    <Page title={state.meeting.title} actions={actions}>
      <div class="room" data-testid="room" data-status={status} data-roles={state.my_roles.join(' ')}>
        <div class="room-head">
          <StatusBadge status={status} />
          <QuorumChip quorum={state.quorum} />
          {rights.chair && <span class="badge role-badge" data-testid="room-chair-badge">{t('room.chairConsole')}</span>}
        </div>
        <AnnouncementBanner announcements={state.announcements} />
        {rights.runner && state.time_up && (
          <div class="alert alert-error time-up" role="alert" data-testid="room-time-up">
            {t('room.timeUpAlert', { name: state.time_up.name })}{' '}
            <button type="button" class="btn btn-small" onClick={() => room.dismissTimeUp()}>{t('common.close')}</button>
          </div>
        )}
        {(rights.runner || rights.chair) && (
          <div class="room-toolbar" data-testid="chair-console">
            <MeetingControls state={state} room={room} rights={rights} />
            {rights.chair && status === 'in_progress' && <AgendaNext state={state} room={room} />}
          </div>
        )}
        <CurrentItem state={state} now={now} />

        <div class="room-grid">
          <aside class="card room-col" aria-labelledby="room-agenda-title">
            <h2 id="room-agenda-title">{t('agenda.title')}</h2>
            <AgendaPanel state={state} room={room} now={now} canGo={rights.chair && status === 'in_progress'} />
          </aside>
          <div class="room-main">
            <StageViewer state={state} room={room} documents={documents} onUnknownDocument={reloadDocuments} canPresent={rights.present} />
          </div>
          <aside class="room-col room-side">
            <ConferencePanel state={state} room={room} user={user} rights={rights} meetingId={params.id} />
            <section class="card" aria-labelledby="floor-title" data-testid="floor-panel">
              <h2 id="floor-title">{t('room.floor')}</h2>
              <Speaker speaker={speaker} now={now} />
              {rights.speak && <FloorRequest state={state} room={room} user={user} />}
              <h3>{t('room.queue')}</h3>
              <FloorQueue state={state} room={room} chair={rights.chair && status === 'in_progress'} />
            </section>
            <section class="card" aria-labelledby="vote-title">
              <h2 id="vote-title">{t('room.vote')}</h2>
              <VotePanel state={state} room={room} canVote={rights.vote} chair={rights.chair} />
              {rights.chair && status === 'in_progress' && !state.vote && (
                <details class="vote-form-box" data-testid="vote-form-box">
                  <summary class="btn" data-testid="vote-new">{t('room.newVote')}</summary>
                  <VoteOpenForm room={room} sitesInvited={(state.quorum?.sites_total || 0) > 0} />
                </details>
              )}
            </section>
            {rights.chair && (
              <section class="card" aria-labelledby="announce-title">
                <h2 id="announce-title">{t('room.announcements')}</h2>
                <AnnounceForm room={room} />
              </section>
            )}
          </aside>
        </div>
        {rights.runner && <SecretaryTools state={state} room={room} rights={rights} />}
      </div>
    </Page>
  );
}
