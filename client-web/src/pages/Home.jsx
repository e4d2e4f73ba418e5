import { useEffect, useState } from 'preact/hooks';
import { listMeetings, listUnits } from '../api.js';
import { t } from '../i18n.js';
import { canCreateMeeting } from '../meetings.js';
import { dayKey, formatRange, tabRange, weekdayName } from '../time.js';
import { Link } from '../components/Link.jsx';
import { AnswerBadge, KindBadges, StatusBadge } from '../components/MeetingBadges.jsx';
import { Page } from '../components/Page.jsx';
import { MeetingFilters, MeetingResults } from '../components/MeetingSearch.jsx';

const TABS = ['upcoming', 'today', 'past'];

/** One meeting in a list: its day, title, time, place, status and my answer. */
export function MeetingCard({ meeting }) {
  const day = dayKey(meeting.starts_at);
  return (
    <li class={`meeting-card status-line-${meeting.status}`} data-testid="meeting-row" data-meeting-id={meeting.id}>
      <div class="meeting-day" aria-hidden="true">
        <span class="meeting-day-number">{day.slice(8, 10)}</span>
        <span class="meeting-day-month">{t(`monthShort.${Number(day.slice(5, 7))}`)}</span>
        <span class="meeting-day-weekday">{weekdayName(day)}</span>
      </div>
      <div class="meeting-main">
        <Link href={`/meetings/${meeting.id}`} class="meeting-title" data-testid="meeting-link">{meeting.title}</Link>
        <div class="meeting-meta">
          <span data-testid="meeting-row-time"><span class="meta-label">{t('meeting.time')}:</span> {formatRange(meeting.starts_at, meeting.ends_at)}</span>
          <span><span class="meta-label">{t('meeting.location')}:</span> {meeting.location || t('common.none')}{meeting.online ? ` · ${t('meeting.onlineShort')}` : ''}</span>
          <span><span class="meta-label">{t('meeting.hostUnit')}:</span> {meeting.host_unit_name}</span>
        </div>
      </div>
      <div class="meeting-badges">
        <StatusBadge status={meeting.status} />
        <KindBadges meeting={meeting} />
        {meeting.my_answer && (
          <span class="my-answer-line">{t('answer.mine')}: <AnswerBadge answer={meeting.my_answer} testId="meeting-row-answer" /></span>
        )}
        {meeting.my_roles.includes('organiser') && <span class="badge role-badge">{t('meetingRole.organiser')}</span>}
        {meeting.my_roles.includes('chair') && <span class="badge role-badge">{t('meetingRole.chair')}</span>}
      </div>
    </li>
  );
}

/** Home: "my meetings" — upcoming, today and past — with search and a unit filter. */
export function Home({ user }) {
  const [tab, setTab] = useState('upcoming');
  const [query, setQuery] = useState('');
  const [unitId, setUnitId] = useState(null);
  const [units, setUnits] = useState([]);
  const [meetings, setMeetings] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    listUnits().then(setUnits, setError);
  }, []);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      listMeetings({ ...tabRange(tab), q: query.trim(), unit_id: unitId }).then(
        (list) => {
          if (!current) return;
          setMeetings(tab === 'past' ? [...list].reverse() : list);
          setError(null);
        },
        (err) => current && setError(err),
      );
    }, query ? 250 : 0);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [tab, query, unitId]);

  const actions = canCreateMeeting(user) && (
    <Link href="/meetings/new" class="btn btn-primary" data-testid="meeting-create">{t('meetings.create')}</Link>
  );
  const filtered = query.trim() || unitId !== null;
  return (
    <Page title={t('home.title')} actions={actions}>
      <p class="lead">{t('home.welcome', { name: user.full_name })}</p>
      <div class="tabs" role="tablist" aria-label={t('home.title')}>
        {TABS.map((name) => (
          <button key={name} type="button" role="tab" class="tab" aria-selected={tab === name ? 'true' : 'false'}
            data-testid={`tab-${name}`} onClick={() => (setTab(name), setMeetings(null))}>
            {t(`home.${name}`)}
          </button>
        ))}
      </div>
      <MeetingFilters query={query} onQuery={setQuery} units={units} unitId={unitId} onUnit={setUnitId}
        searchTestId="meeting-search" unitTestId="meeting-filter-unit" />
      <MeetingResults meetings={meetings} error={error} Card={MeetingCard} emptyClass="empty card"
        emptyTestId="meetings-empty" listTestId="meeting-list"
        empty={t(filtered ? 'home.noMatch' : `home.none.${tab}`)} />
    </Page>
  );
}
