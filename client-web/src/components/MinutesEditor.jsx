import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { appendAt, dateOrNull, emptyAssignment, listToText, removeAt, sameContent, textToList, voteLine } from '../minutes.js';
import { keyToDate } from '../time.js';

// The structured editors of the minutes (biên bản) and the conclusion notice. They
// show the content the server drafted and call `onChange(path, value)` for each
// edit; `readOnly` (the chair, a signed version) turns every field into text.

/** A labelled textarea (free text of the document). */
function Area({ label, value, onChange, readOnly, rows = 4, testId, hint }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <textarea rows={rows} value={value ?? ''} readOnly={readOnly} maxLength={50000} data-testid={testId}
        onInput={(e) => onChange(e.currentTarget.value)} />
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

/** A labelled one-line input (text or date). */
function Line({ label, value, onChange, readOnly, type = 'text', testId, maxLength = 500 }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <input type={type} value={value ?? ''} readOnly={readOnly} maxLength={type === 'text' ? maxLength : undefined}
        data-testid={testId} onInput={(e) => onChange(e.currentTarget.value)} />
    </label>
  );
}

/**
 * A list edited as lines (an assignment's units, the notice's recipients). The text is
 * kept while typing (a trailing newline survives); the list is sent up on each input.
 */
function ListArea({ label, value, onChange, readOnly, rows = 3, testId, hint }) {
  const [text, setText] = useState(() => listToText(value));
  useEffect(() => {
    if (!sameContent(textToList(text), value || [])) setText(listToText(value));
  }, [value]);
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <textarea rows={rows} value={text} readOnly={readOnly} data-testid={testId}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onChange(textToList(e.currentTarget.value));
        }} />
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

/** Số, ký hiệu, địa danh, ngày: the heading of an administrative document. */
function HeadingFields({ heading, set, readOnly }) {
  return (
    <fieldset class="minutes-heading" data-testid="minutes-heading">
      <legend>{t('minutes.heading')}</legend>
      <p class="muted small">{[heading.parent_unit, heading.unit].filter(Boolean).join(' — ')}</p>
      <div class="grid-4">
        <Line label={t('minutes.number')} value={heading.number} readOnly={readOnly} testId="minutes-number" maxLength={20}
          onChange={(v) => set(['heading', 'number'], v)} />
        <Line label={t('minutes.symbol')} value={heading.symbol} readOnly={readOnly} testId="minutes-symbol" maxLength={40}
          onChange={(v) => set(['heading', 'symbol'], v)} />
        <Line label={t('minutes.place')} value={heading.place} readOnly={readOnly} testId="minutes-place" maxLength={100}
          onChange={(v) => set(['heading', 'place'], v)} />
        <Line label={t('minutes.issuedOn')} type="date" value={heading.issued_on || ''} readOnly={readOnly} testId="minutes-issued-on"
          onChange={(v) => set(['heading', 'issued_on'], dateOrNull(v))} />
      </div>
    </fieldset>
  );
}

/** Giao việc of one item: task, units (first leads), due date; organisers turn one into a task. */
function Assignments({ list, path, set, change, readOnly, onAssign }) {
  return (
    <div class="minutes-assignments" data-testid="assignments">
      <h4>{t('minutes.assignments')}</h4>
      {list.length === 0 && <p class="muted small">{t('minutes.noAssignments')}</p>}
      {list.length > 0 && <ol class="plain assignment-list">
        {list.map((a, i) => (
          <li key={i} class="assignment" data-testid="assignment" data-index={i}>
            <Area label={t('minutes.assignmentTask')} rows={2} value={a.task} readOnly={readOnly} testId="assignment-task"
              onChange={(v) => set([...path, i, 'task'], v)} />
            <div class="grid-2">
              <ListArea label={t('minutes.assignmentUnits')} rows={2} value={a.units} readOnly={readOnly} testId="assignment-units"
                hint={readOnly ? undefined : t('minutes.onePerLine')} onChange={(v) => set([...path, i, 'units'], v)} />
              <Line label={t('minutes.assignmentDue')} type="date" value={a.due || ''} readOnly={readOnly} testId="assignment-due"
                onChange={(v) => set([...path, i, 'due'], dateOrNull(v))} />
            </div>
            <div class="row-actions">
              {onAssign && (
                <button type="button" class="btn btn-small" data-testid="assignment-assign" onClick={() => onAssign(a)}>
                  {t('tasks.assign')}
                </button>
              )}
              {!readOnly && (
                <button type="button" class="link-button danger" data-testid="assignment-remove"
                  onClick={() => change((c) => removeAt(c, path, i))}>
                  {t('minutes.removeAssignment')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>}
      {!readOnly && (
        <button type="button" class="btn btn-small" data-testid="assignment-add" onClick={() => change((c) => appendAt(c, path, emptyAssignment()))}>
          {t('minutes.addAssignment')}
        </button>
      )}
    </div>
  );
}

const personLine = (p) => (p ? [p.name, p.title, p.unit].filter(Boolean).join(', ') : '');

/** Who was invited and how they took part; only an absent person's reason is edited. */
function Attendees({ attendees, set, readOnly }) {
  return (
    <section class="minutes-section" aria-labelledby="attendees-title">
      <h3 id="attendees-title">{t('minutes.attendees', { count: attendees.length })}</h3>
      <div class="table-wrap">
        <table class="table" data-testid="attendees-table">
          <thead>
            <tr>
              <th scope="col">{t('attendance.person')}</th>
              <th scope="col">{t('minutes.titleUnit')}</th>
              <th scope="col">{t('minutes.presence')}</th>
              <th scope="col">{t('minutes.site')}</th>
              <th scope="col">{t('minutes.substituteFor')}</th>
              <th scope="col">{t('minutes.absenceReason')}</th>
            </tr>
          </thead>
          <tbody>
            {attendees.length === 0 && <tr><td colSpan={6} class="empty">{t('common.none')}</td></tr>}
            {attendees.map((a, i) => (
              <tr key={i} data-testid="attendee-row" data-presence={a.presence}>
                <th scope="row" class="wrap">{a.name}</th>
                <td class="wrap">{[a.title, a.unit].filter(Boolean).join(', ')}</td>
                <td><span class={`badge presence-${a.presence}`}>{t(`minutesPresence.${a.presence}`)}</span></td>
                <td class="wrap">{a.site}</td>
                <td class="wrap">{a.substitute_for}</td>
                <td class="wrap">
                  {a.presence === 'absent' ? (
                    <input value={a.absence_reason || ''} readOnly={readOnly} maxLength={300} data-testid="attendee-reason"
                      aria-label={t('minutes.absenceReasonOf', { name: a.name })}
                      onInput={(e) => set(['attendees', i, 'absence_reason'], e.currentTarget.value)} />
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** One agenda item of the minutes: proceedings, speeches, votes, conclusion, assignments. */
function MinutesItem({ item, index, set, change, readOnly, onAssign }) {
  const path = ['items', index];
  return (
    <section class="minutes-item card" data-testid="minutes-item" data-index={index}>
      <h3>{index + 1}. {item.title}</h3>
      <p class="muted small">
        {item.presenter?.name && <>{t('minutes.presenter')}: {personLine(item.presenter)}. </>}
        {item.documents?.length > 0 && <>{t('minutes.documents')}: {item.documents.join('; ')}.</>}
      </p>
      <Area label={t('minutes.proceedings')} rows={3} value={item.proceedings} readOnly={readOnly} testId="item-proceedings"
        onChange={(v) => set([...path, 'proceedings'], v)} />

      <h4>{t('minutes.speeches', { count: (item.speeches || []).length })}</h4>
      {(item.speeches || []).length === 0 && <p class="muted small">{t('minutes.noSpeeches')}</p>}
      <ol class="plain speech-list">
        {(item.speeches || []).map((s, i) => (
          <li key={i} class="speech" data-testid="speech">
            <p class="speech-head">
              {s.at && <span class="badge">{s.at}</span>} <strong>{s.speaker}</strong>
              {s.unit && <span class="muted"> ({s.unit})</span>}
              {s.position && <span class="badge speech-position">{s.position}</span>}
            </p>
            {s.topic && <p class="small">{t('minutes.topic')}: {s.topic}</p>}
            <Area label={t('minutes.summary')} rows={2} value={s.summary} readOnly={readOnly} testId="speech-summary"
              onChange={(v) => set([...path, 'speeches', i, 'summary'], v)} />
          </li>
        ))}
      </ol>

      {(item.votes || []).length > 0 && <h4>{t('minutes.votes')}</h4>}
      <ol class="plain vote-list">
        {(item.votes || []).map((v, i) => (
          <li key={i} class="minutes-vote" data-testid="minutes-vote" data-secret={v.secret ? 'true' : 'false'}>
            <p>
              <strong>{v.question}</strong>{' '}
              {v.secret && <span class="badge">{t('minutes.secretVote')}</span>}
              {v.eligible > 0 && <span class="muted small"> {t('minutes.eligible', { count: v.eligible })}</span>}
            </p>
            <p class="small" data-testid="vote-counts">{voteLine(v)}</p>
            <Line label={t('minutes.voteResult')} value={v.result} readOnly={readOnly} testId="vote-result"
              onChange={(value) => set([...path, 'votes', i, 'result'], value)} />
          </li>
        ))}
      </ol>

      <Area label={t('minutes.conclusion')} rows={4} value={item.conclusion} readOnly={readOnly} testId="item-conclusion"
        onChange={(v) => set([...path, 'conclusion'], v)} />
      {onAssign && item.conclusion?.trim() && (
        <div class="row-actions">
          <button type="button" class="btn btn-small" data-testid="conclusion-assign" onClick={() => onAssign(null)}>
            {t('tasks.assignFromConclusion')}
          </button>
        </div>
      )}
      <Assignments list={item.assignments || []} path={[...path, 'assignments']} set={set} change={change} readOnly={readOnly}
        onAssign={onAssign ? (a) => onAssign(a) : null} />
    </section>
  );
}

/**
 * The minutes: heading, title, opening, attendance, each agenda item, closing.
 * `onAssign(itemIndex, assignment|null)` (organisers): make a follow-up task.
 */
export function MinutesForm({ content, set, change, readOnly, onAssign }) {
  const times = [content.starts_at, content.ends_at].filter(Boolean).join(' – ');
  return (
    <div class="minutes-form" data-testid="minutes-form">
      <HeadingFields heading={content.heading || {}} set={set} readOnly={readOnly} />
      <Line label={t('minutes.docTitle')} value={content.title} readOnly={readOnly} testId="minutes-title" maxLength={1000}
        onChange={(v) => set(['title'], v)} />
      <dl class="details minutes-facts">
        <div class="detail"><dt>{t('meeting.time')}</dt><dd>{times} {content.meeting_date ? keyToDate(content.meeting_date) : ''}</dd></div>
        <div class="detail"><dt>{t('meeting.location')}</dt><dd>{content.location || t('common.none')}</dd></div>
        <div class="detail"><dt>{t('minutes.chair')}</dt><dd data-testid="minutes-chair">{personLine(content.chair)}</dd></div>
        <div class="detail"><dt>{t('minutes.secretary')}</dt><dd>{personLine(content.secretary)}</dd></div>
      </dl>
      <Area label={t('minutes.opening')} rows={4} value={content.opening} readOnly={readOnly} testId="minutes-opening"
        hint={readOnly ? undefined : t('minutes.openingHint')} onChange={(v) => set(['opening'], v)} />
      <Attendees attendees={content.attendees || []} set={set} readOnly={readOnly} />
      <h3>{t('minutes.items')}</h3>
      {(content.items || []).length === 0 && <p class="muted">{t('agenda.empty')}</p>}
      {(content.items || []).map((item, i) => (
        <MinutesItem key={i} item={item} index={i} set={set} change={change} readOnly={readOnly}
          onAssign={onAssign ? (a) => onAssign(i, a) : null} />
      ))}
      <Area label={t('minutes.closing')} rows={4} value={content.closing} readOnly={readOnly} testId="minutes-closing"
        hint={readOnly ? undefined : t('minutes.closingHint')} onChange={(v) => set(['closing'], v)} />
    </div>
  );
}

/** The conclusion notice: heading, title, intro, each conclusion, closing, recipients. */
export function NoticeForm({ content, set, change, readOnly, onAssign }) {
  const signatory = content.signatory || {};
  return (
    <div class="minutes-form" data-testid="notice-form">
      <HeadingFields heading={content.heading || {}} set={set} readOnly={readOnly} />
      <Line label={t('minutes.docTitle')} value={content.title} readOnly={readOnly} testId="minutes-title" maxLength={1000}
        onChange={(v) => set(['title'], v)} />
      <Area label={t('notice.intro')} rows={4} value={content.intro} readOnly={readOnly} testId="notice-intro"
        onChange={(v) => set(['intro'], v)} />
      <h3>{t('notice.items')}</h3>
      {(content.items || []).length === 0 && <p class="muted">{t('notice.noItems')}</p>}
      {(content.items || []).map((item, i) => (
        <section key={i} class="minutes-item card" data-testid="minutes-item" data-index={i}>
          <h3>{i + 1}. {item.title}</h3>
          <Area label={t('minutes.conclusion')} rows={4} value={item.conclusion} readOnly={readOnly} testId="item-conclusion"
            onChange={(v) => set(['items', i, 'conclusion'], v)} />
          {onAssign && item.conclusion?.trim() && (
            <div class="row-actions">
              <button type="button" class="btn btn-small" data-testid="conclusion-assign" onClick={() => onAssign(i, null)}>
                {t('tasks.assignFromConclusion')}
              </button>
            </div>
          )}
          <Assignments list={item.assignments || []} path={['items', i, 'assignments']} set={set} change={change} readOnly={readOnly}
            onAssign={onAssign ? (a) => onAssign(i, a) : null} />
        </section>
      ))}
      <Area label={t('notice.closing')} rows={3} value={content.closing} readOnly={readOnly} testId="minutes-closing"
        onChange={(v) => set(['closing'], v)} />
      <ListArea label={t('notice.recipients')} rows={4} value={content.recipients} readOnly={readOnly} testId="notice-recipients"
        hint={readOnly ? undefined : t('notice.recipientsHint')} onChange={(v) => set(['recipients'], v)} />
      <p class="muted small" data-testid="notice-signatory">
        {t('notice.signatory')}: {[signatory.authority, signatory.title, signatory.name].filter(Boolean).join(' — ')}
      </p>
    </div>
  );
}
