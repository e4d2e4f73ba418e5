import { t } from '../i18n.js';
import { formatTime } from '../time.js';

/** One line of the agenda: number, planned start, title, presenter, duration, summary. */
export function AgendaLine({ item, children }) {
  const sub = item.parent_id !== null;
  return (
    <li class={`agenda-item${sub ? ' agenda-sub' : ''}${item.withdrawn ? ' is-withdrawn' : ''}`}
      data-testid="agenda-item" data-item-id={item.id} data-number={item.number}>
      <span class="agenda-time" data-testid="agenda-time">
        {item.planned_start ? formatTime(item.planned_start) : '—'}
      </span>
      <div class="agenda-body">
        <div class="agenda-title">
          {item.number && <span class="agenda-number" data-testid="agenda-number">{item.number}.</span>}
          <span>{item.title}</span>
          {item.withdrawn && <span class="badge status-cancelled">{t('agenda.withdrawn')}</span>}
        </div>
        <div class="agenda-meta">
          {item.presenter_name && <span>{t('agenda.presenter')}: {item.presenter_name}</span>}
          <span>{t('agenda.minutes', { count: item.duration_minutes })}</span>
        </div>
        {item.summary && <p class="agenda-summary">{item.summary}</p>}
      </div>
      {children}
    </li>
  );
}

/** The agenda for everyone: items with their planned times and the planned end. */
export function AgendaView({ agenda }) {
  const live = agenda.items.filter((i) => !i.withdrawn);
  return (
    <>
      {live.length === 0 ? (
        <p class="empty" data-testid="agenda-empty">{t('agenda.empty')}</p>
      ) : (
        <ol class="agenda" data-testid="agenda-list">
          {live.map((item) => <AgendaLine key={item.id} item={item} />)}
        </ol>
      )}
      {live.length > 0 && (
        <p class="agenda-end" data-testid="agenda-planned-end">
          {t('agenda.plannedEnd')}: <strong>{formatTime(agenda.planned_end)}</strong>
        </p>
      )}
    </>
  );
}
