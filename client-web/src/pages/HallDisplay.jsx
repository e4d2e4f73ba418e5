import { useEffect, useState } from 'preact/hooks';
import { mainPublisher, pageOf, PAGE_SIZE, sortTiles, tileTitle } from '../conference.js';
import { t } from '../i18n.js';
import { formatClock, roomRights, secondsLeft, splitQueue } from '../meetingRoom.js';
import { formatTime } from '../time.js';
import {
  ConferenceAlerts,
  ConferenceBadge,
  MyMediaControls,
  QualityBadge,
  RemoteAudio,
  TrackVideo,
  VideoTile,
  useConference,
} from '../components/Conference.jsx';
import { LangToggle } from '../components/LangToggle.jsx';
import { Link } from '../components/Link.jsx';
import { StatusBadge } from '../components/MeetingBadges.jsx';
import {
  AnnouncementBanner,
  ConnectionBadge,
  CurrentItem,
  FloorQueue,
  QuorumChip,
  RoomErrorAlert,
  Speaker,
  useCommand,
  useMeetingRoom,
  useNow,
} from '../components/Room.jsx';
import { MeetingControls } from '../components/RoomConsole.jsx';

/** The received tracks less the hall's other devices (a secretary's laptop in the hall). */
function withoutHall(conf) {
  const hall = new Set(conf.publishers.filter((p) => p.place === 'hall').map((p) => p.publisher_id));
  return Object.fromEntries(Object.entries(conf.remote).filter(([id]) => !hall.has(id)));
}

function toggleFullScreen() {
  if (document.fullscreenElement) document.exitFullscreen?.();
  else document.documentElement.requestFullscreen?.().catch(() => {});
}

/** The big picture: the floor holder, else the spotlighted site, else a shared screen. */
function MainStage({ conf, speaker, state, now }) {
  const { publisher, reason } = mainPublisher(conf?.publishers, conf?.floor_user_id, conf?.spotlight_user_id, [
    conf?.my_publisher_id,
    conf?.my_publisher_id && `${conf.my_publisher_id}:screen`,
  ]);
  const left = speaker ? secondsLeft(speaker.ends_at, now) : null;
  if (!publisher) {
    return (
      <section class="hall-main is-empty" data-testid="hall-main" data-publisher-id="" aria-label={t('hall.mainStage')}>
        <div class="hall-main-empty">
          {speaker ? (
            <>
              <span class="hall-main-kicker">{t('room.speaking')}</span>
              <strong class="hall-main-name">{speaker.name}</strong>
              {speaker.unit_name && <span>{speaker.unit_name}</span>}
            </>
          ) : (
            <>
              <span class="hall-main-kicker">{t('hall.stageEmpty')}</span>
              <strong class="hall-main-name">{state.meeting.title}</strong>
            </>
          )}
        </div>
      </section>
    );
  }
  const track = conf.remote[publisher.publisher_id]?.video || null;
  const kicker = reason === 'floor' ? t('room.speaking') : reason === 'spotlight' ? t('conf.spotlight') : t('conf.screen');
  return (
    <section class={`hall-main reason-${reason}`} data-testid="hall-main" data-publisher-id={publisher.publisher_id} data-reason={reason}
      aria-label={t('hall.mainStage')}>
      <TrackVideo track={track} publisherId={publisher.publisher_id} testId="hall-main-video" fit="contain" />
      <div class="hall-main-label">
        <span class="hall-main-kicker">{kicker}</span>
        <strong class="hall-main-name">{tileTitle(publisher)}</strong>
        {publisher.place === 'site' && publisher.name && <span class="hall-main-sub">{publisher.name}</span>}
        {reason === 'floor' && left !== null && (
          <span class={`countdown${left <= 0 ? ' is-over' : left <= 30 ? ' is-warning' : ''}`} data-testid="hall-countdown">
            {left <= 0 ? t('room.timeUp') : formatClock(left)}
          </span>
        )}
      </div>
    </section>
  );
}

/** The chair's controls for one site: microphone, floor, spotlight, end; its figures. */
function SiteConsole({ publisher, conf, conference, state, room }) {
  const [run, busy, error] = useCommand();
  const [confirmEnd, setConfirmEnd] = useState(false);
  useEffect(() => setConfirmEnd(false), [publisher?.publisher_id]);
  if (!publisher) return <p class="muted small" data-testid="site-console-empty">{t('hall.selectSite')}</p>;
  const { speaker, waiting } = splitQueue(state.floor.queue);
  const speaking = speaker && speaker.user_id === publisher.user_id;
  const request = waiting.find((r) => r.user_id === publisher.user_id);
  const spotlit = conf.spotlight_user_id === publisher.user_id;
  const running = state.meeting.status === 'in_progress';
  const row = conf.stats[publisher.publisher_id];
  return (
    <div class="site-console" data-testid="site-console" data-publisher-id={publisher.publisher_id}>
      <h3 class="site-console-title">{tileTitle(publisher)}</h3>
      {publisher.place === 'site' && <p class="muted small">{publisher.name}</p>}
      <div class="site-console-buttons">
        {!publisher.screen && (
          <button type="button" class={`btn${publisher.muted ? '' : ' btn-danger'}`} disabled={busy}
            onClick={() => run(() => conference.mute(publisher.publisher_id, !publisher.muted))}
            data-testid={publisher.muted ? 'site-unmute' : 'site-mute'}>
            {publisher.muted ? t('hall.unmute') : t('hall.mute')}
          </button>
        )}
        {speaking ? (
          <button type="button" class="btn" disabled={busy} onClick={() => run(() => room.endFloor())} data-testid="site-end-floor">
            {t('room.endSpeech')}
          </button>
        ) : (
          <button type="button" class="btn btn-primary" disabled={busy || !request || !running}
            onClick={() => run(() => room.giveFloor(request.id, 180))} data-testid="site-floor"
            title={request ? undefined : t('hall.noRequest')}>
            {t('room.giveFloor')}
          </button>
        )}
        <button type="button" class={`btn${spotlit ? ' is-on' : ''}`} disabled={busy} aria-pressed={spotlit ? 'true' : 'false'}
          onClick={() => run(() => conference.spotlight(spotlit ? null : publisher.publisher_id))} data-testid="site-spotlight">
          {spotlit ? t('hall.unspotlight') : t('hall.spotlight')}
        </button>
        {confirmEnd ? (
          <span class="confirm-inline" data-testid="site-end-confirm">
            {t('hall.endConfirm', { name: tileTitle(publisher) })}{' '}
            <button type="button" class="btn btn-danger btn-small" disabled={busy}
              onClick={async () => (await run(() => conference.end(publisher.publisher_id))) && setConfirmEnd(false)} data-testid="site-end-ok">
              {t('hall.end')}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setConfirmEnd(false)}>{t('common.cancel')}</button>
          </span>
        ) : (
          <button type="button" class="btn btn-outline-danger" onClick={() => setConfirmEnd(true)} data-testid="site-end">{t('hall.end')}</button>
        )}
      </div>
      {!request && !speaking && <p class="muted small">{t('hall.noRequest')}</p>}
      <RoomErrorAlert error={error} />
      {row && (
        <dl class="site-figures" data-testid="site-figures">
          <div><dt>{t('hall.stats.quality')}</dt><dd><QualityBadge quality={row.quality} row={row} /></dd></div>
          <div><dt>{t('hall.stats.video')}</dt><dd>{row.video_kbps ?? '—'} kbps</dd></div>
          <div><dt>{t('hall.stats.fps')}</dt><dd>{row.fps ?? '—'}</dd></div>
          <div><dt>{t('hall.stats.loss')}</dt><dd>{row.loss_pct != null ? `${row.loss_pct}%` : '—'}</dd></div>
          <div><dt>{t('hall.stats.rtt')}</dt><dd>{row.rtt_ms != null ? `${row.rtt_ms} ms` : '—'}</dd></div>
        </dl>
      )}
    </div>
  );
}

/** Every publisher's link figures (the chair polls `media.stats`). */
function StatsTable({ conf, conference, tiles }) {
  const [run, busy, error] = useCommand();
  const rows = tiles.map((p) => [p, conf.stats[p.publisher_id]]);
  return (
    <div class="stats-box" data-testid="stats-table">
      <RoomErrorAlert error={error} />
      <div class="table-wrap">
        <table class="table table-compact">
          <thead>
            <tr>
              <th scope="col">{t('hall.stats.site')}</th>
              <th scope="col">{t('hall.stats.quality')}</th>
              <th scope="col" class="num">{t('hall.stats.video')}</th>
              <th scope="col" class="num">{t('hall.stats.fpsShort')}</th>
              <th scope="col" class="num">{t('hall.stats.loss')}</th>
              <th scope="col" class="num">{t('hall.stats.rtt')}</th>
              <th scope="col">{t('hall.stats.mic')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([p, row]) => (
              <tr key={p.publisher_id} data-testid="stats-row" data-publisher-id={p.publisher_id} data-quality={row?.quality || ''}>
                <th scope="row" class="wrap">{tileTitle(p)}{row && row.state !== 'connected' && <span class="sub">{t(`conf.pc.${row.state}`)}</span>}</th>
                <td><QualityBadge quality={row?.quality || 'unknown'} row={row} /></td>
                <td class="num">{row?.video_kbps ?? '—'}</td>
                <td class="num">{row?.fps ?? '—'}</td>
                <td class="num">{row?.loss_pct != null ? `${row.loss_pct}%` : '—'}</td>
                <td class="num">{row?.rtt_ms != null ? row.rtt_ms : '—'}</td>
                <td>
                  {p.place !== 'hall' && (
                    <button type="button" class="btn btn-small" disabled={busy} onClick={() => run(() => conference.mute(p.publisher_id, !p.muted))}
                      data-testid="stats-mute" data-muted={p.muted ? 'true' : 'false'}>
                      {p.muted ? t('hall.unmute') : t('hall.mute')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {conf.stats_at && <p class="muted small">{t('hall.stats.updated', { time: formatTime(new Date(conf.stats_at).toISOString()) })}</p>}
      <p class="muted small">{t('hall.stats.note')}</p>
    </div>
  );
}

/**
 * The hall display (/meetings/:id/hall) on the hall's 1920x1080 screen, for the chair and
 * the secretaries: the floor speaker large, the hall's own camera, every commune in a
 * paged grid with its link quality and the active speaker highlighted; the chair's
 * per-site controls (microphone, floor, spotlight, end) and the link figures.
 */
export function HallDisplay({ user, params }) {
  const [state, room] = useMeetingRoom(params.id);
  const now = useNow();
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState(null);
  const [side, setSide] = useState('floor');
  useEffect(() => {
    document.body.classList.add('hall-body');
    return () => document.body.classList.remove('hall-body');
  }, []);
  const ready = Boolean(state?.ready);
  const status = state?.meeting?.status;
  const rights = ready ? roomRights(state.my_roles, status) : null;
  const live = ready && rights.runner && (status === 'published' || status === 'in_progress');
  const [conf, conference] = useConference(room, live, { userId: user.id, camera: true, place: 'hall' });
  const chair = Boolean(rights?.chair);
  useEffect(() => {
    if (!conference || !chair) return undefined;
    conference.startStats();
    return () => conference.stopStats();
  }, [conference, chair]);
  useEffect(() => {
    if (state?.meeting?.title) document.title = `${t('hall.title')} · ${state.meeting.title}`;
  }, [state?.meeting?.title]);

  const tiles = conf ? sortTiles(conf.publishers.filter((p) => !p.screen && p.publisher_id !== conf.my_publisher_id)) : [];
  const paged = pageOf(tiles, page, PAGE_SIZE);
  const chosen = tiles.find((p) => p.publisher_id === selected) || null;
  const { speaker } = ready ? splitQueue(state.floor.queue) : { speaker: null };

  return (
    <main class="hall" id="main" data-testid="hall" data-status={status || ''}>
      <header class="hall-top">
        <div class="hall-heading">
          <span class="hall-kicker">{t('hall.title')}</span>
          <span class="hall-meeting" data-testid="hall-title">{state?.meeting?.title || t('room.connecting')}</span>
        </div>
        <div class="hall-status">
          {status && <StatusBadge status={status} />}
          {ready && <QuorumChip quorum={state.quorum} />}
          <ConnectionBadge state={state} />
          {conf && <ConferenceBadge state={conf} />}
          <span class="hall-clock" aria-label={t('hall.clock')}>{formatTime(new Date(now).toISOString())}</span>
          {ready && (rights.start || rights.end) && <MeetingControls state={state} room={room} rights={rights} />}
          <Link href={`/meetings/${params.id}/room`} class="btn btn-ghost btn-small" data-testid="hall-room-link">{t('hall.roomPage')}</Link>
          <button type="button" class="btn btn-ghost btn-small" onClick={toggleFullScreen}>{t('kiosk.fullScreen')}</button>
          <LangToggle />
        </div>
      </header>

      {state?.connection === 'refused' && (
        <p class="alert alert-error" role="alert" data-testid="room-refused" data-code={state.error?.code}>{state.error?.message}</p>
      )}
      {!ready && state?.connection !== 'refused' && <p class="loading" role="status">{t('room.connecting')}</p>}
      {ready && !rights.runner && (
        <p class="alert alert-warning" role="alert" data-testid="hall-runners-only">
          {t('hall.onlyRunners')} <Link href={`/meetings/${params.id}/room`}>{t('hall.roomPage')}</Link>
        </p>
      )}

      {ready && rights.runner && (
        <>
          <div class="hall-notes">
            <AnnouncementBanner announcements={state.announcements} />
            <ConferenceAlerts state={conf} conference={conference} />
          </div>
          <div class="hall-body-grid">
            <div class="hall-left">
              <div class="hall-upper">
                <MainStage conf={conf} speaker={speaker} state={state} now={now} />
                <aside class="hall-self">
                  <div class="video-tile hall-camera" data-testid="hall-camera" data-publisher-id={conf?.my_publisher_id || ''}
                    data-sending={conf?.sending || 'off'}>
                    {/* not mirrored: this is the picture the communes see */}
                    <TrackVideo track={conf?.local.video || null} publisherId={conf?.my_publisher_id} testId="self-video" />
                    {!conf?.local.video && <span class="video-none">{t('conf.noCamera')}</span>}
                    <span class="tile-label"><span class="tile-title">{t('hall.ownCamera')}</span></span>
                  </div>
                  <MyMediaControls state={conf} conference={conference} canShare={rights.present} />
                  <CurrentItem state={state} now={now} />
                </aside>
              </div>
              <section class="hall-sites" aria-labelledby="hall-sites-title">
                <div class="hall-sites-head">
                  <h2 id="hall-sites-title">{t('hall.sites', { count: tiles.length })}</h2>
                  {paged.pages > 1 && (
                    <span class="pager" data-testid="hall-pager" data-page={paged.page + 1} data-pages={paged.pages}>
                      <button type="button" class="btn btn-small" disabled={paged.page === 0} onClick={() => setPage(paged.page - 1)}
                        data-testid="hall-prev">‹ {t('hall.prevPage')}</button>
                      <span>{t('hall.page', { page: paged.page + 1, pages: paged.pages })}</span>
                      <button type="button" class="btn btn-small" disabled={paged.page >= paged.pages - 1} onClick={() => setPage(paged.page + 1)}
                        data-testid="hall-next">{t('hall.nextPage')} ›</button>
                    </span>
                  )}
                </div>
                {tiles.length === 0 ? (
                  <p class="muted hall-no-sites" data-testid="hall-no-sites">{conf ? t('hall.noSites') : t('conf.status.starting')}</p>
                ) : (
                  <div class="hall-grid" data-testid="hall-grid"
                    style={{ '--cols': Math.min(6, Math.max(4, Math.ceil(paged.items.length / 2))) }}>
                    {paged.items.map((p) => (
                      <VideoTile key={p.publisher_id} publisher={p} track={conf.remote[p.publisher_id]?.video || null} testId="hall-tile"
                        subtitle={p.place === 'site' ? null : p.unit_name}
                        active={conf.active_speaker === p.publisher_id}
                        floor={conf.floor_user_id === p.user_id}
                        spotlight={conf.spotlight_user_id === p.user_id}
                        downgraded={conf.downgraded.includes(p.publisher_id)}
                        quality={chair ? conf.stats[p.publisher_id]?.quality || 'unknown' : undefined}
                        statsRow={conf.stats[p.publisher_id]}
                        selected={selected === p.publisher_id}
                        onSelect={chair ? () => (setSelected(p.publisher_id), setSide('site')) : undefined} />
                    ))}
                  </div>
                )}
              </section>
            </div>
            <aside class="hall-side">
              {chair && (
                <div class="tabs" role="tablist">
                  {['floor', 'site', 'stats'].map((name) => (
                    <button key={name} type="button" role="tab" class="tab" aria-selected={side === name ? 'true' : 'false'}
                      data-testid={`hall-tab-${name}`} onClick={() => setSide(name)}>{t(`hall.tab.${name}`)}</button>
                  ))}
                </div>
              )}
              {(side === 'floor' || !chair) && (
                <section class="card" aria-labelledby="hall-floor-title" data-testid="floor-panel">
                  <h2 id="hall-floor-title">{t('room.floor')}</h2>
                  <Speaker speaker={speaker} now={now} />
                  <h3>{t('room.queue')}</h3>
                  <FloorQueue state={state} room={room} chair={chair && status === 'in_progress'} />
                </section>
              )}
              {chair && side === 'site' && (
                <section class="card" aria-labelledby="hall-site-title">
                  <h2 id="hall-site-title">{t('hall.console')}</h2>
                  <SiteConsole publisher={chosen} conf={conf} conference={conference} state={state} room={room} />
                </section>
              )}
              {chair && side === 'stats' && conf && (
                <section class="card" aria-labelledby="hall-stats-title">
                  <h2 id="hall-stats-title">{t('hall.stats')}</h2>
                  <StatsTable conf={conf} conference={conference} tiles={tiles} />
                </section>
              )}
            </aside>
          </div>
          {/* other devices in the hall are in the same room: their sound would echo */}
          {conf && <RemoteAudio remote={withoutHall(conf)} />}
        </>
      )}
    </main>
  );
}

HallDisplay.fullScreen = true;
