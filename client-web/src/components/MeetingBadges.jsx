import { t } from '../i18n.js';

/** The meeting's lifecycle status, coloured. */
export function StatusBadge({ status, postponed = false }) {
  return (
    <span class={`badge status-${status}`} data-testid="meeting-status" data-status={status}>
      {postponed ? t('status.postponed') : t(`status.${status}`)}
    </span>
  );
}

/** An invitee's answer, coloured; nothing for a meeting I am not invited to. */
export function AnswerBadge({ answer, site = false, testId = 'answer-badge' }) {
  if (!answer) return null;
  const key = site && answer === 'attending' ? 'answer.confirmed' : `answer.${answer}`;
  return (
    <span class={`badge answer-${answer}`} data-testid={testId} data-answer={answer}>
      {t(key)}
    </span>
  );
}

/** Kind and access as small labels (access only when not the default "restricted"). */
export function KindBadges({ meeting }) {
  return (
    <>
      <span class="badge">{t(`meetingKind.${meeting.kind}`)}</span>
      {meeting.access !== 'restricted' && (
        <span class={`badge access-${meeting.access}`}>{t(`access.${meeting.access}`)}</span>
      )}
    </>
  );
}
