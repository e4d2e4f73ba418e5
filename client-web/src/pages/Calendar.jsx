import { useEffect, useState } from 'preact/hooks';
import { listMeetings } from '../api.js';
import { t } from '../i18n.js';
import {
  addDays,
  addMonths,
  dayMonth,
  formatTime,
  keyToDate,
  meetingDays,
  monthGrid,
  startOfDay,
  todayKey,
  weekStart,
  weekdayName,
  weekdayShort,
} from '../time.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Link } from '../components/Link.jsx';
import { StatusBadge } from '../components/MeetingBadges.jsx';
import { Page } from '../components/Page.jsx';

/** The days shown for a view around the anchor day. */
function visibleDays(view, anchor) {
  if (view === 'week') {
    const first = weekStart(anchor);
    return [Array.from({ length: 7 }, (_, i) => addDays(first, i))];
  }
  return monthGrid(anchor);
}

function byDay(meetings) {
  const map = new Map();
  for (const m of meetings) {
    for (const day of meetingDays(m)) {
      if (!map.has(day)) map.set(day, []);
      map.get(day).push(m);
    }
  }
  return map;
}

function MonthView({ weeks, anchor, days, today }) {
  const month = anchor.slice(0, 7);
  return (
    <div class="month" data-testid="calendar-month">
      <div class="month-head" aria-hidden="true">
        {weeks[0].map((d) => <div key={d} class="month-weekday">{weekdayShort(d)}</div>)}
      </div>
      {weeks.map((week) => (
        <div key={week[0]} class="month-week">
          {week.map((d) => {
            const list = days.get(d) || [];
            return (
              <div key={d} class={`month-day${d.slice(0, 7) !== month ? ' is-other' : ''}${d === today ? ' is-today' : ''}`}
                data-testid="calendar-day" data-day={d}>
                <span class="month-date">
                  <span class="visually-hidden">{weekdayName(d)} </span>{Number(d.slice(8, 10))}
                </span>
                <ul class="day-meetings">
                  {list.map((m) => (
                    <li key={m.id}>
                      <Link href={`/meetings/${m.id}`} class={`cal-chip status-line-${m.status}`} title={m.title}
                        data-testid="calendar-meeting" data-meeting-id={m.id}>
                        <span class="cal-time">{formatTime(m.starts_at)}</span> {m.title}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}

function WeekView({ week, days, today }) {
  return (
    <div class="week" data-testid="calendar-week">
      {week.map((d) => {
        const list = days.get(d) || [];
        return (
          <section key={d} class={`week-day${d === today ? ' is-today' : ''}`} data-testid="calendar-day" data-day={d}>
            <h2 class="week-day-head">
              {weekdayName(d)} <span class="week-date">{dayMonth(d)}</span>
            </h2>
            {list.length === 0 ? (
              <p class="week-empty muted">{t('calendar.free')}</p>
            ) : (
              <ul class="day-meetings">
                {list.map((m) => (
                  <li key={m.id}>
                    <Link href={`/meetings/${m.id}`} class={`cal-card status-line-${m.status}`} data-testid="calendar-meeting" data-meeting-id={m.id}>
                      <span class="cal-time">{formatTime(m.starts_at)} – {formatTime(m.ends_at)}</span>
                      <span class="cal-title">{m.title}</span>
                      {m.location && <span class="cal-place">{m.location}</span>}
                      <StatusBadge status={m.status} />
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}

/** The calendar: a week or a month of my meetings (Vietnam days, Monday first). */
export function Calendar() {
  const today = todayKey();
  const [view, setView] = useState('week');
  const [anchor, setAnchor] = useState(today);
  const [meetings, setMeetings] = useState([]);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);

  const weeks = visibleDays(view, anchor);
  const first = weeks[0][0];
  const last = weeks[weeks.length - 1][6];
  useEffect(() => {
    let current = true;
    setLoading(true);
    listMeetings({ from: startOfDay(first), to: startOfDay(addDays(last, 1)) }).then(
      (list) => current && (setMeetings(list), setError(null), setLoading(false)),
      (err) => current && (setError(err), setLoading(false)),
    );
    return () => {
      current = false;
    };
  }, [first, last]);

  const step = (n) => setAnchor(view === 'week' ? addDays(anchor, 7 * n) : addMonths(anchor, n));
  const heading = view === 'week'
    ? t('calendar.weekTitle', { from: dayMonth(first), to: keyToDate(last) })
    : t('calendar.monthTitle', { month: t(`month.${Number(anchor.slice(5, 7))}`), year: anchor.slice(0, 4) });
  const days = byDay(meetings);

  return (
    <Page title={t('calendar.title')}>
      <div class="calendar-bar">
        <div class="segmented" role="group" aria-label={t('calendar.view')}>
          {['week', 'month'].map((v) => (
            <button key={v} type="button" class="btn" aria-pressed={view === v ? 'true' : 'false'}
              data-testid={`calendar-view-${v}`} onClick={() => setView(v)}>
              {t(`calendar.${v}`)}
            </button>
          ))}
        </div>
        <div class="calendar-nav">
          <button type="button" class="btn" data-testid="calendar-prev" onClick={() => step(-1)}
            aria-label={t(view === 'week' ? 'calendar.prevWeek' : 'calendar.prevMonth')}>‹</button>
          <button type="button" class="btn" data-testid="calendar-today" onClick={() => setAnchor(today)}>{t('calendar.today')}</button>
          <button type="button" class="btn" data-testid="calendar-next" onClick={() => step(1)}
            aria-label={t(view === 'week' ? 'calendar.nextWeek' : 'calendar.nextMonth')}>›</button>
        </div>
        <h2 class="calendar-title" data-testid="calendar-title" aria-live="polite">{heading}</h2>
      </div>
      <ErrorAlert error={error} testId="page-error" />
      <div class={loading ? 'is-loading' : undefined} aria-busy={loading ? 'true' : 'false'}>
        {view === 'week'
          ? <WeekView week={weeks[0]} days={days} today={today} />
          : <MonthView weeks={weeks} anchor={anchor} days={days} today={today} />}
      </div>
    </Page>
  );
}
