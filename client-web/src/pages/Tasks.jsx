import { useEffect, useState } from 'preact/hooks';
import { getMeeting, listTasks } from '../api.js';
import { t } from '../i18n.js';
import { seesOverdue, taskGroup } from '../minutes.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Page } from '../components/Page.jsx';
import { TaskCard } from '../components/TaskCard.jsx';

const GROUPS = ['mine', 'unit', 'followed'];

function overdueFromUrl() {
  return new URLSearchParams(location.search).get('overdue') === '1';
}

/**
 * Nhiệm vụ: the follow-up tasks assigned to me and to my unit, and (secretaries,
 * chairs) those of the meetings I organise or chair, with an overdue filter.
 */
export function Tasks({ user }) {
  const canFilter = seesOverdue(user);
  const [overdue, setOverdue] = useState(() => canFilter && overdueFromUrl());
  const [tasks, setTasks] = useState(null);
  const [titles, setTitles] = useState({});
  const [error, setError] = useState(null);

  useEffect(() => {
    let current = true;
    setTasks(null);
    listTasks({ overdue }).then(
      (list) => {
        if (!current) return;
        setTasks(list);
        setError(null);
        // the meetings' titles, where I may read the meeting (an assignee may not have been invited)
        const wanted = [...new Set(list.map((x) => x.meeting_id))].filter((id) => !(id in titles));
        Promise.allSettled(wanted.map((id) => getMeeting(id))).then((found) => {
          if (!current) return;
          const next = {};
          found.forEach((r, i) => {
            next[wanted[i]] = r.status === 'fulfilled' ? r.value.title : null;
          });
          setTitles((old) => ({ ...old, ...next }));
        });
      },
      (err) => current && setError(err),
    );
    return () => {
      current = false;
    };
  }, [overdue]);

  const choose = (value) => {
    setOverdue(value);
    history.replaceState(null, '', value ? '/tasks?overdue=1' : '/tasks');
  };
  const changed = (next) => setTasks((list) => list.map((x) => (x.id === next.id ? next : x)));
  const grouped = Object.fromEntries(GROUPS.map((g) => [g, (tasks || []).filter((x) => taskGroup(x, user) === g)]));

  return (
    <Page title={t('tasks.pageTitle')}>
      <p class="lead">{t('tasks.lead')}</p>
      {canFilter && (
        <div class="tabs" role="tablist" aria-label={t('tasks.pageTitle')}>
          <button type="button" role="tab" class="tab" aria-selected={overdue ? 'false' : 'true'} data-testid="tasks-all"
            onClick={() => choose(false)}>{t('tasks.all')}</button>
          <button type="button" role="tab" class="tab" aria-selected={overdue ? 'true' : 'false'} data-testid="tasks-overdue"
            onClick={() => choose(true)}>{t('tasks.overdueTab')}</button>
        </div>
      )}
      <ErrorAlert error={error} testId="page-error" />
      {tasks === null && !error && <p class="loading" role="status">{t('app.loading')}</p>}
      {tasks && tasks.length === 0 && (
        <p class="empty card" data-testid="tasks-empty">{t(overdue ? 'tasks.noneOverdue' : 'tasks.noneMine')}</p>
      )}
      {tasks && GROUPS.filter((g) => grouped[g].length > 0).map((g) => (
        <section key={g} class="card" aria-labelledby={`tasks-${g}`} data-testid={`tasks-group-${g}`}>
          <h2 id={`tasks-${g}`}>{t(`tasks.group.${g}`, { unit: user.unit_name })} <span class="muted">({grouped[g].length})</span></h2>
          <ul class="plain task-list" data-testid="task-list">
            {grouped[g].map((task) => (
              <TaskCard key={task.id} task={task} meetingTitle={titles[task.meeting_id] ?? null} onChanged={changed} />
            ))}
          </ul>
        </section>
      ))}
    </Page>
  );
}
