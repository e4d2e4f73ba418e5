import { useEffect } from 'preact/hooks';
import { t } from '../i18n.js';
import { roomRights, splitQueue } from '../meetingRoom.js';
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

/**
 * The commune kiosk (/kiosk/:id), full screen in a commune's conference room: big
 * Vietnamese labels, the presented page following the presenter, the current item,
 * "Đăng ký phát biểu", the vote buttons when communes vote, and the connection state.
 * Video is added later (media): its place is kept on the screen.
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

  return (
    <main class="kiosk" id="main" data-testid="kiosk" data-status={status || ''}>
      <header class="kiosk-top">
        <div class="kiosk-site">
          <span class="kiosk-site-name" data-testid="kiosk-site">{user.unit_name}</span>
          <span class="kiosk-meeting">{state?.meeting?.title || t('room.connecting')}</span>
        </div>
        <div class="kiosk-status">
          <ConnectionBadge state={state} big />
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
              {/* Video of the hall and of the speaking commune: added by the media work. */}
              <section class="kiosk-video" data-testid="kiosk-video" aria-label={t('kiosk.video')}>
                <span>{t('kiosk.videoPlaceholder')}</span>
              </section>
              <section class="kiosk-panel" aria-label={t('room.floor')}>
                <Speaker speaker={speaker} now={now} big />
                {rights.speak && <FloorRequest state={state} room={room} user={user} big />}
              </section>
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
