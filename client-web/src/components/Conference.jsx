// Pieces of the video conference shared by the hall display, the commune kiosk and the
// officials' room: the hook that joins (conference.js), a <video> for one track, tiles
// with their names and badges, the received sound, and one's own camera/mic/screen buttons.

import { useEffect, useRef, useState } from 'preact/hooks';
import { createConference, tileTitle } from '../conference.js';
import { t } from '../i18n.js';
import { useCommand, RoomErrorAlert } from './Room.jsx';

/**
 * Join the conference of an open room while `enabled`; leave when it turns false or on
 * unmount. @returns {[state, conference]} (both null while not joined)
 */
export function useConference(room, enabled, options) {
  const [conference, setConference] = useState(null);
  const [state, setState] = useState(null);
  useEffect(() => {
    if (!room || !enabled) return undefined;
    const made = createConference(room, {
      ...options,
      log: (msg, detail) => console.debug('[conference]', msg, detail ?? ''), // eslint-disable-line no-console
    });
    setConference(made);
    setState(made.state);
    const off = made.subscribe(setState);
    made.start().catch((err) => console.warn('[conference] start failed', err)); // eslint-disable-line no-console
    return () => {
      off();
      made.stop();
      setConference(null);
      setState(null);
    };
  }, [room, enabled]);
  return [state, conference];
}

/** One video track in a <video> (muted: sound plays through <RemoteAudio>). */
export function TrackVideo({ track, mirror = false, testId = 'video', publisherId, fit = 'cover' }) {
  const ref = useRef(null);
  const [hasPicture, setHasPicture] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    setHasPicture(false);
    el.srcObject = track ? new MediaStream([track]) : null;
    if (!track) return undefined;
    const shown = () => setHasPicture(el.videoWidth > 0);
    el.addEventListener('loadeddata', shown);
    el.addEventListener('resize', shown);
    el.play?.().catch(() => {}); // muted video may always play
    return () => {
      el.removeEventListener('loadeddata', shown);
      el.removeEventListener('resize', shown);
    };
  }, [track]);
  return (
    <>
      <video ref={ref} autoplay playsInline muted class={`track-video fit-${fit}${mirror ? ' is-mirrored' : ''}`}
        data-testid={testId} data-publisher-id={publisherId || ''} data-picture={hasPicture ? 'true' : 'false'} />
      {track && !hasPicture && <span class="video-wait" aria-hidden="true">{t('conf.waitingPicture')}</span>}
    </>
  );
}

/** A link quality badge: good / fair / poor / measuring. */
export function QualityBadge({ quality, row }) {
  if (!quality) return null;
  const title = row
    ? [
        row.video_kbps != null && `${row.video_kbps} kbps`,
        row.fps != null && `${row.fps} ${t('hall.stats.fpsShort')}`,
        row.loss_pct != null && `${t('hall.stats.loss')} ${row.loss_pct}%`,
        row.rtt_ms != null && `RTT ${row.rtt_ms} ms`,
      ].filter(Boolean).join(' · ')
    : undefined;
  return (
    <span class={`quality quality-${quality}`} data-testid="link-quality" data-quality={quality} title={title}>
      <span class="quality-bars" aria-hidden="true"><i /><i /><i /></span>
      <span class="quality-text">{t(`conf.quality.${quality}`)}</span>
    </span>
  );
}

/**
 * A publisher's picture with its name and state: the floor, the spotlight, the active
 * speaker, the microphone, a downgraded video, the link quality.
 */
export function VideoTile({
  publisher,
  track,
  title,
  subtitle,
  role,
  active = false,
  floor = false,
  spotlight = false,
  downgraded = false,
  quality,
  statsRow,
  selected = false,
  onSelect,
  big = false,
  mirror = false,
  testId = 'video-tile',
  placeholder,
  children,
}) {
  const id = publisher?.publisher_id || '';
  const classes = ['video-tile', big && 'is-big', active && 'is-active', floor && 'is-floor', spotlight && 'is-spotlight', selected && 'is-selected', onSelect && 'is-selectable']
    .filter(Boolean)
    .join(' ');
  const label = title ?? tileTitle(publisher);
  const body = (
    <>
      <TrackVideo track={downgraded ? null : track} mirror={mirror} publisherId={id} />
      {!track && !downgraded && <span class="video-none">{placeholder || t('conf.noPicture')}</span>}
      {downgraded && <span class="video-none" data-testid="tile-downgraded">{t('conf.audioOnly')}</span>}
      <span class="tile-label">
        <span class="tile-title">{label}</span>
        {subtitle && <span class="tile-sub">{subtitle}</span>}
      </span>
      <span class="tile-badges">
        {floor && <span class="tile-badge badge-floor">{t('room.speaking')}</span>}
        {spotlight && !floor && <span class="tile-badge badge-spotlight">{t('conf.spotlight')}</span>}
        {publisher && !publisher.screen && publisher.place !== 'hall' && (
          <span class={`tile-badge mic ${publisher.muted ? 'mic-off' : 'mic-on'}`} data-testid="tile-mic" data-muted={publisher.muted ? 'true' : 'false'}
            title={publisher.muted ? t('conf.micMuted') : t('conf.micOpen')}>
            {publisher.muted ? t('conf.micShortOff') : t('conf.micShortOn')}
          </span>
        )}
        {quality && <QualityBadge quality={quality} row={statsRow} />}
      </span>
      {children}
    </>
  );
  const data = {
    'data-testid': testId,
    'data-publisher-id': id,
    'data-place': publisher?.place || '',
    'data-active': active ? 'true' : 'false',
    'data-floor': floor ? 'true' : 'false',
    'data-muted': publisher?.muted ? 'true' : 'false',
    'data-quality': quality || '',
    'data-downgraded': downgraded ? 'true' : 'false',
    'data-role': role || '',
  };
  if (onSelect) {
    return (
      <button type="button" class={classes} onClick={onSelect} aria-pressed={selected ? 'true' : 'false'} aria-label={label} {...data}>
        {body}
      </button>
    );
  }
  return <div class={classes} {...data}>{body}</div>;
}

/**
 * The sound of every received publisher (the relay forwards only open microphones).
 * If the browser blocks autoplay with sound, a big button turns it on.
 */
export function RemoteAudio({ remote, big = false }) {
  const [blocked, setBlocked] = useState(false);
  const box = useRef(null);
  const tracks = Object.entries(remote || {})
    .filter(([, r]) => r.audio)
    .map(([id, r]) => [id, r.audio]);
  const key = tracks.map(([id, tr]) => `${id}:${tr.id}`).join(',');
  useEffect(() => {
    const els = box.current ? [...box.current.querySelectorAll('audio')] : [];
    for (const el of els) {
      const track = tracks.find(([id]) => id === el.dataset.publisherId)?.[1];
      if (!track) continue;
      if (el.srcObject?.getAudioTracks?.()[0] !== track) el.srcObject = new MediaStream([track]);
      el.play().catch((err) => err?.name === 'NotAllowedError' && setBlocked(true));
    }
  }, [key]);
  const unblock = () => {
    const els = box.current ? [...box.current.querySelectorAll('audio')] : [];
    Promise.all(els.map((el) => el.play())).then(() => setBlocked(false), () => setBlocked(true));
  };
  return (
    <div class="remote-audio" ref={box} data-testid="remote-audio" data-count={tracks.length}>
      {tracks.map(([id]) => <audio key={id} autoplay data-publisher-id={id} />)}
      {blocked && (
        <button type="button" class={`btn btn-primary sound-on${big ? ' btn-huge' : ''}`} onClick={unblock} data-testid="sound-on">
          {t('conf.enableSound')}
        </button>
      )}
    </div>
  );
}

/** The conference's own state as a badge. */
export function ConferenceBadge({ state, big = false }) {
  const status = state?.status || 'off';
  return (
    <span class={`badge media-status media-${status}${big ? ' conn-big' : ''}`} data-testid="conf-status" data-status={status}
      data-sending={state?.sending || 'off'} data-receiving={state?.receiving || 'off'} role="status">
      {t(`conf.status.${status}`)}
    </span>
  );
}

/** Why the camera/microphone could not be opened, the chair's "end", a refused join. */
export function ConferenceAlerts({ state, conference, big = false }) {
  if (!state) return null;
  return (
    <>
      {state.media_error && (
        <p class={`alert alert-warning small${big ? ' big-text' : ''}`} role="alert" data-testid="conf-media-error" data-code={state.media_error.code}>
          {t(`conf.media.${state.media_error.code}`)}
        </p>
      )}
      {state.status === 'failed' && state.error && (
        <p class={`alert alert-error small${big ? ' big-text' : ''}`} role="alert" data-testid="conf-error" data-code={state.error.code}>
          {state.error.code === 'media_off' ? t('conf.error.media_off') : state.error.message || t('conf.status.failed')}
        </p>
      )}
      {state.ended && (
        <div class={`alert alert-warning${big ? ' big-text' : ''}`} role="alert" data-testid="conf-ended">
          {t('conf.ended')}{' '}
          <button type="button" class="btn btn-small" onClick={() => conference.rejoin()} data-testid="conf-reconnect">{t('conf.reconnect')}</button>
        </div>
      )}
    </>
  );
}

/** One's own camera, microphone and (presenters) screen share. */
export function MyMediaControls({ state, conference, canShare = false, cameraToggle = true, big = false }) {
  const [run, busy, error] = useCommand();
  if (!state || !conference) return null;
  const size = big ? ' btn-big' : ' btn-small';
  return (
    <div class="my-media" data-testid="my-media">
      {cameraToggle && (
        <button type="button" class={`btn${size}${state.camera ? ' is-on' : ''}`} disabled={busy} aria-pressed={state.camera ? 'true' : 'false'}
          onClick={() => run(() => conference.setCamera(!state.camera))} data-testid="camera-toggle" data-on={state.camera ? 'true' : 'false'}>
          {state.camera ? t('conf.cameraOff') : t('conf.cameraOn')}
        </button>
      )}
      <button type="button" class={`btn${size}${state.microphone ? ' is-on' : ''}`} aria-pressed={state.microphone ? 'true' : 'false'}
        disabled={!state.local.audio} onClick={() => conference.setMicrophone(!state.microphone)} data-testid="mic-toggle"
        data-on={state.microphone ? 'true' : 'false'}>
        {state.microphone ? t('conf.micOff') : t('conf.micOn')}
      </button>
      <button type="button" class={`btn${size}`} disabled={busy || state.ended}
        onClick={() => run(() => (state.stopped ? conference.resumeSending() : conference.stopSending()))}
        data-testid="sending-toggle" data-on={state.stopped ? 'false' : 'true'}>
        {state.stopped ? t('conf.resumeSending') : t('conf.stopSending')}
      </button>
      {canShare && (state.screen ? (
        <button type="button" class={`btn btn-danger${size}`} onClick={() => conference.stopScreen()} data-testid="screen-stop">{t('conf.stopShare')}</button>
      ) : (
        <button type="button" class={`btn${size}`} disabled={busy} onClick={() => run(() => conference.shareScreen())} data-testid="screen-share">{t('conf.shareScreen')}</button>
      ))}
      {state.screen_error && <span class="muted small" data-testid="screen-error">{state.screen_error.message || t('room.failed')}</span>}
      <RoomErrorAlert error={error && error.name !== 'NotAllowedError' ? error : null} />
    </div>
  );
}
