import { useEffect, useState } from 'preact/hooks';
import { getMinutes, listTasks, listUnits } from '../api.js';
import { t } from '../i18n.js';
import { agendaLinks, minutesRights, taskDraft } from '../minutes.js';
import { ErrorAlert } from './ErrorAlert.jsx';
import { TaskCard } from './TaskCard.jsx';
import { TaskDialog } from './TaskDialog.jsx';

/**
 * Giao việc on the meeting page: each conclusion (from the minutes once the meeting
 * has ended) with a button to make a task of it (organisers), and the meeting's tasks.
 */
export function MeetingTasks({ meeting, agenda }) {
  const rights = minutesRights(meeting);
  const [tasks, setTasks] = useState(null);
  const [items, setItems] = useState([]); // {title, conclusion, agendaItemId}
  const [units, setUnits] = useState([]);
  const [draft, setDraft] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const agendaItems = (agenda?.items || []).filter((i) => !i.withdrawn);

  const reload = () => listTasks({ meeting_id: meeting.id }).then((list) => (setTasks(list), setError(null)), setError);
  useEffect(() => {
    reload();
    if (!rights.assign) return;
    listUnits().then(setUnits, () => {});
    const fromAgenda = () => setItems(agendaItems.map((a) => ({ title: a.title, conclusion: '', agendaItemId: a.id })));
    if (rights.after) {
      getMinutes(meeting.id, 'minutes').then((r) => {
        const list = r.content.items || [];
        const links = agendaLinks(list, agendaItems);
        setItems(list.map((item, i) => ({ ...item, agendaItemId: links[i] })));
      }, fromAgenda);
    } else {
      fromAgenda();
    }
  }, [meeting.id]);

  return (
    <div class="meeting-tasks" role="tabpanel" data-testid="meeting-tasks">
      {rights.assign && (
        <section class="card" aria-labelledby="conclusions-title">
          <div class="section-head">
            <h2 id="conclusions-title">{t('tasks.fromConclusions')}</h2>
            <button type="button" class="btn" data-testid="task-new"
              onClick={() => setDraft(taskDraft({}))}>{t('tasks.newTask')}</button>
          </div>
          {items.length === 0 && <p class="muted">{t('agenda.empty')}</p>}
          <ol class="plain conclusion-list">
            {items.map((item, i) => (
              <li key={i} class="conclusion-row" data-testid="conclusion-row">
                <div>
                  <strong>{i + 1}. {item.title}</strong>
                  <p class={item.conclusion ? 'task-detail' : 'muted small'}>{item.conclusion || t('tasks.noConclusion')}</p>
                </div>
                <button type="button" class="btn btn-small" data-testid="conclusion-assign"
                  onClick={() => setDraft(taskDraft({ item, agendaItemId: item.agendaItemId, units }))}>
                  {t('tasks.assign')}
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}
      <section class="card" aria-labelledby="meeting-tasks-title">
        <div class="section-head">
          <h2 id="meeting-tasks-title">{t('tasks.ofMeeting')}</h2>
          <button type="button" class="btn" onClick={reload} data-testid="tasks-refresh">{t('common.refresh')}</button>
        </div>
        {notice && <p class="alert alert-success" role="status" data-testid="tasks-notice">{notice}</p>}
        <ErrorAlert error={error} testId="tasks-error" />
        {tasks === null && !error && <p class="loading" role="status">{t('app.loading')}</p>}
        {tasks && tasks.length === 0 && <p class="empty" data-testid="tasks-empty">{t('tasks.none')}</p>}
        {tasks && tasks.length > 0 && (
          <ul class="plain task-list" data-testid="task-list">
            {tasks.map((task) => (
              <TaskCard key={task.id} task={task}
                onChanged={(next) => setTasks((list) => list.map((x) => (x.id === next.id ? next : x)))} />
            ))}
          </ul>
        )}
      </section>
      {draft && (
        <TaskDialog meeting={meeting} agendaItems={agendaItems} draft={draft} onClose={() => setDraft(null)}
          onDone={(created) => {
            setDraft(null);
            setNotice(t('tasks.created', { title: created.title }));
            reload();
          }} />
      )}
    </div>
  );
}
