// What a user may do with a meeting, mirroring the server's rules
// (server/permissions.py MEETING_RULES and the status checks of each
// operation). The server still decides; this only hides buttons that would be
// refused. DOM-free.

export const MEETING_KINDS = ['regular', 'thematic', 'urgent'];
export const MEETING_ACCESS = ['open', 'restricted', 'confidential'];
export const ANSWERS = ['pending', 'attending', 'declined', 'delegated'];

/** Secretaries and chairs create meetings (permission meeting.create). */
export function canCreateMeeting(user) {
  return Boolean(user?.roles?.some((r) => r === 'secretary' || r === 'chair'));
}

const EDITABLE = ['draft', 'published'];
const AGENDA_EDITABLE = ['draft', 'published', 'in_progress'];
const OPEN_FOR_ANSWERS = ['published', 'in_progress'];

/**
 * @param {{status: string, my_roles: string[], my_invitation: object|null}} meeting
 */
export function meetingRights(meeting) {
  const roles = meeting.my_roles || [];
  const organiser = roles.includes('organiser');
  const chair = roles.includes('chair');
  const runner = organiser || chair;
  const s = meeting.status;
  return {
    organiser,
    chair,
    editDetails: organiser && EDITABLE.includes(s),
    editAgenda: organiser && AGENDA_EDITABLE.includes(s),
    invite: organiser && AGENDA_EDITABLE.includes(s),
    seeInvitees: organiser,
    seeAttendance: runner,
    remind: runner && OPEN_FOR_ANSWERS.includes(s),
    publish: organiser && s === 'draft',
    postpone: organiser && s === 'published',
    cancel: organiser && EDITABLE.includes(s),
    start: runner && s === 'published',
    end: runner && s === 'in_progress',
    archive: organiser && s === 'ended',
    answer: Boolean(meeting.my_invitation) && OPEN_FOR_ANSWERS.includes(s),
    // the live room exists for published and running meetings; observers cannot join
    joinRoom: roles.some((r) => r !== 'observer') && OPEN_FOR_ANSWERS.includes(s),
  };
}

/** A published meeting with a status reason has been postponed (cancel sets its own status). */
export function isPostponed(meeting) {
  return meeting.status === 'published' && Boolean(meeting.status_reason);
}

/**
 * Split a free-text list (one name per line, or separated by ; ) into names.
 * @param {string} text
 * @returns {string[]}
 */
export function splitNames(text) {
  return (text || '')
    .split(/[\n;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Which commune-site units can still be invited, and which are invited already.
 * @param {{id: number, kind: string, disabled: boolean, name: string}[]} units
 * @param {{unit_id: number}[]} invitedSites
 */
export function siteChoices(units, invitedSites) {
  const invited = new Set(invitedSites.map((s) => s.unit_id));
  return units
    .filter((u) => (u.kind === 'commune' || u.kind === 'ward') && !u.disabled)
    .sort((a, b) => a.name.localeCompare(b.name, 'vi'))
    .map((unit) => ({ unit, invited: invited.has(unit.id) }));
}

/** Lower-case without Vietnamese diacritics, for client-side filtering ("duc" finds "Đức"). */
export function fold(text) {
  return (text || '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
