import { useEffect } from 'preact/hooks';
import { hallPublisher, mainPublisher } from '../conference.js';
import { t } from '../i18n.js';
import { roomRights, splitQueue } from '../meetingRoom.js';
import { formatDate, formatTime } from '../time.js';
import {
  ConferenceAlerts,
  ConferenceBadge,
  RemoteAudio,
  TrackVideo,
  VideoTile,
  useConference,
} from '../components/Conference.jsx';
import { LangToggle } from '../components/LangToggle.jsx';
import { Link } from '../components/Link.jsx';
import {
  AnnouncementBanner,
  ConnectionBadge,
  CurrentItem,
  FloorRequest,
  QuorumChip,
  Speaker,
  StageViewer,
  VotePanel,
  useMeetingDocuments,
  useMeetingRoom,
  useNow,
} from '../components/Room.jsx';

function toggleFullScreen() {
  if (document.fullscreenElement) document.exitFullscreen?.();
  else document.documentElement.requestFullscreen?.().catch(() => {});
}

/** Before the start: the planned time, and that the site will join by itself. */
function Waiting({ meeting, now }) {
  const minutes = Math.ceil((Date.parse(meeting.starts_at) - now) / 60000);
  return (
    <div class="kiosk-waiting" data-testid="kiosk-waiting">
      <span class="kiosk-waiting-title">{t('kiosk.waitingTitle')}</span>
      <span class="kiosk-waiting-time" data-testid="kiosk-start-time">
        {t('kiosk.waitingStart', { time: formatTime(meeting.starts_at), date: formatDate(meeting.starts_at) })}
      </span>
      {minutes > 0 && <span class="kiosk-waiting-in">{t('kiosk.waitingIn', { minutes })}</span>}
      <span class="kiosk-waiting-note">{t('kiosk.waitingAuto')}</span>
    </div>
  );
}

/** Whoever holds the floor, is spotlighted or shares a screen (never this site, never the hall). */
function otherOnStage(conf, state) {
  const hall = hallPublisher(conf.publishers, state.meeting.chair_id);
  return mainPublisher(conf.publishers, conf.floor_user_id, conf.spotlight_user_id, [conf.my_publisher_id, hall?.publisher_id]);
}

/** The marked video area: the hall large, with this site's own small picture on it. */
function KioskVideo({ conf, state, user }) {
  const hall = hallPublisher(conf.publishers, state.meeting.chair_id);
  const mine = conf.my_publisher_id;
  const me = conf.publishers.find((p) => p.publisher_id === mine);
  const open = conf.floor_user_id === user.id && me && !me.muted;
  return (
    <>
      <VideoTile publisher={hall} track={hall ? conf.remote[hall.publisher_id]?.video || null : null} big testId="kiosk-hall"
        title={t('kiosk.hall')} subtitle={hall?.unit_name} role="hall" placeholder={hall ? null : t('kiosk.noHall')}
        active={hall && conf.active_speaker === hall.publisher_id}>
        {/* not mirrored: this is the picture the hall sees */}
        <div class="kiosk-self" data-testid="kiosk-self" data-sending={conf.sending}>
          <TrackVideo track={conf.local.video} publisherId={mine} testId="self-video" />
          {!conf.local.video && <span class="video-none">{t('conf.noCamera')}</span>}
          <span class="kiosk-self-label">{t('kiosk.selfView')}</span>
        </div>
        <span class={`kiosk-mic ${open ? 'is-open' : 'is-closed'}`} data-testid="kiosk-mic" data-muted={me ? (me.muted ? 'true' : 'false') : ''}
          title={open ? undefined : t('kiosk.micClosedHint')}>
          {open ? t('kiosk.micOpen') : t('kiosk.micClosed')}
        </span>
      </VideoTile>
    </>
  );
}

/** The floor speaker's picture (another commune or an official), beside the speaker's name. */
function FloorVideo({ conf, state }) {
  const { publisher: other, reason } = otherOnStage(conf, state);
  if (!other) return null;
  return (
    <VideoTile publisher={other} track={conf.remote[other.publisher_id]?.video || null} testId="kiosk-floor" role={reason}
      subtitle={reason === 'floor' ? t('room.speaking') : reason === 'spotlight' ? t('conf.spotlight') : t('conf.screen')}
      floor={reason === 'floor'} spotlight={reason === 'spotlight'} active={conf.active_speaker === other.publisher_id}
      downgraded={conf.downgraded.includes(other.publisher_id)} />
  );
}

/**
 * The commune kiosk (/kiosk/:id), full screen in a commune's conference room: big
 * Vietnamese labels, the presented page following the presenter, the current item,
 * "Đăng ký phát biểu", the vote buttons when communes vote, and the connection state.
 * Its video area shows the hall large, the floor speaker and its own small picture; it
 * joins the conference by itself when the meeting starts (a waiting screen before) and
 * comes back by itself after a dropped connection.
 */
export function Kiosk({ user, params }) {
  const [state, room] = useMeetingRoom(params.id);
  const [documents, reloadDocuments] = useMeetingDocuments(params.id);
  const now = useNow();
  useEffect(() => {
    document.title = `${t('kiosk.title')} · ${user.unit_name}`;
    document.body.classList.add('kiosk-body');
    return () => document.body.classList.remove('kiosk-body');
  }, []);

  const ready = state?.ready;
  const status = state?.meeting?.status;
  const rights = ready ? roomRights(state.my_roles, status) : null;
  const { speaker } = ready ? splitQueue(state.floor.queue) : { speaker: null };
  const siteVotes = ready && state.vote && state.vote.sites_vote;
  const [conf, conference] = useConference(room, ready && status === 'in_progress', {
    userId: user.id,
    camera: true, // a kiosk always sends its camera and microphone
    place: 'site',
  });
  const floorVideo = conf && status === 'in_progress' && otherOnStage(conf, state).publisher ? <FloorVideo conf={conf} state={state} /> : null;

  return (
    <main class="kiosk" id="main" data-testid="kiosk" data-status={status || ''}>
      <header class="kiosk-top">
        <div class="kiosk-site">
          <span class="kiosk-site-name" data-testid="kiosk-site">{user.unit_name}</span>
          <span class="kiosk-meeting">{state?.meeting?.title || t('room.connecting')}</span>
        </div>
        <div class="kiosk-status">
          <ConnectionBadge state={state} big />
          {conf && <ConferenceBadge state={conf} big />}
          {ready && <QuorumChip quorum={state.quorum} big />}
          <button type="button" class="btn btn-ghost btn-small" onClick={toggleFullScreen} data-testid="kiosk-fullscreen">{t('kiosk.fullScreen')}</button>
          <LangToggle />
          <Link href={`/meetings/${params.id}`} class="btn btn-ghost btn-small">{t('kiosk.exit')}</Link>
        </div>
      </header>

      {state?.connection === 'refused' && (
        <p class="alert alert-error big-text" role="alert" data-testid="room-refused" data-code={state.error?.code}>{state.error?.message}</p>
      )}
      {!ready && state?.connection !== 'refused' && <p class="loading big-text" role="status">{t('room.connecting')}</p>}

      {ready && (
        <>
          <AnnouncementBanner announcements={state.announcements} big />
          <CurrentItem state={state} now={now} big />
          <div class="kiosk-grid">
            <div class="kiosk-stage">
              <StageViewer state={state} room={room} documents={documents} onUnknownDocument={reloadDocuments} canPresent={false} big />
            </div>
            <aside class="kiosk-side">
              <section class="kiosk-video" data-testid="kiosk-video" aria-label={t('kiosk.video')} data-status={conf?.status || 'off'}>
                {status === 'published' && <Waiting meeting={state.meeting} now={now} />}
                {status === 'in_progress' && conf && <KioskVideo conf={conf} state={state} user={user} />}
                {status === 'in_progress' && !conf && <p class="big-text">{t('conf.status.starting')}</p>}
                {status !== 'published' && status !== 'in_progress' && <p class="big-text" data-testid="kiosk-ended">{t('kiosk.ended')}</p>}
                <ConferenceAlerts state={conf} conference={conference} big />
                {conf && <RemoteAudio remote={conf.remote} big />}
              </section>
              <div class={`kiosk-floor-row${floorVideo ? ' has-video' : ''}`}>
                {floorVideo}
                <section class="kiosk-panel" aria-label={t('room.floor')}>
                  <Speaker speaker={speaker} now={now} big />
                  {rights.speak && <FloorRequest state={state} room={room} user={user} big />}
                </section>
              </div>
              {(state.vote || state.last_vote) && (
                <section class="kiosk-panel" aria-label={t('room.vote')}>
                  <VotePanel state={state} room={room} canVote={Boolean(rights.vote && siteVotes)} big />
                  {state.vote && !siteVotes && <p class="muted big-text" data-testid="kiosk-no-site-vote">{t('kiosk.sitesDoNotVote')}</p>}
                </section>
              )}
            </aside>
          </div>
        </>
      )}
    </main>
  );
}

Kiosk.fullScreen = true;
