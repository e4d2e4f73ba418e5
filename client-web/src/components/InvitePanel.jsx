import { useEffect, useState } from 'preact/hooks';
import { getAttendance, invite, listUnits, listUsers, uninvite } from '../api.js';
import { t } from '../i18n.js';
import { siteChoices } from '../meetings.js';
import { formatDateTime } from '../time.js';
import { ConfirmDialog } from './ConfirmDialog.jsx';
import { ErrorAlert } from './ErrorAlert.jsx';
import { AnswerBadge } from './MeetingBadges.jsx';
import { PersonPicker } from './PersonPicker.jsx';

/** What the server said about an invitation request: added, already invited, double-booked. */
function InviteResult({ result, people }) {
  const name = (id) => people.find((p) => p.id === id)?.full_name || `#${id}`;
  return (
    <div data-testid="invite-result">
      <p class="alert alert-success" role="status">{t('invite.added', { count: result.added.length })}</p>
      {result.already_invited.length > 0 && (
        <p class="alert alert-warning" data-testid="invite-already">
          {t('invite.alreadyList')}: {result.already_invited.map(name).join(', ')}
        </p>
      )}
      {result.double_booked.length > 0 && (
        <div class="alert alert-warning" data-testid="invite-double-booked">
          <p>{t('invite.doubleBooked')}</p>
          <ul class="plain">
            {result.double_booked.map((c) => (
              <li key={`${c.user_id}-${c.meeting_id}`}>
                {t('invite.conflict', { name: c.full_name, title: c.meeting_title, time: formatDateTime(c.starts_at) })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/**
 * The organiser's invitation panel: who is invited (remove), and adding people
 * one by one, departments as a whole and commune sites (conference rooms).
 */
export function InvitePanel({ meeting, canInvite }) {
  const [board, setBoard] = useState(null);
  const [people, setPeople] = useState([]);
  const [units, setUnits] = useState([]);
  const [userIds, setUserIds] = useState([]);
  const [unitIds, setUnitIds] = useState([]);
  const [siteIds, setSiteIds] = useState([]);
  const [sitesVote, setSitesVote] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const [removing, setRemoving] = useState(null); // invitation

  const reload = () => getAttendance(meeting.id).then(setBoard, setError);
  useEffect(() => {
    reload();
    listUsers().then(setPeople, setError);
    listUnits().then(setUnits, setError);
  }, [meeting.id]);

  if (!board) return error ? <ErrorAlert error={error} testId="page-error" /> : <p class="loading" role="status">{t('app.loading')}</p>;

  const invitedIds = new Set([...board.people, ...board.sites].map((i) => i.user.id));
  const persons = people.filter((p) => !p.disabled && !p.roles.includes('site'));
  const departments = units.filter((u) => u.kind === 'department' && !u.disabled).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  const invitedVia = new Set(board.people.map((i) => i.via_unit_id).filter(Boolean));
  const sites = siteChoices(units, board.sites);
  const open = sites.filter((s) => !s.invited).map((s) => s.unit.id);
  const allSites = open.length > 0 && open.every((id) => siteIds.includes(id));
  const toggle = (list, setList, id) => setList(list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
  const unitName = (id) => units.find((u) => u.id === id)?.name || '';
  const nothing = userIds.length + unitIds.length + siteIds.length === 0;

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const answer = await invite(meeting.id, {
        user_ids: userIds,
        unit_ids: unitIds,
        sites: siteIds.map((unit_id) => ({ unit_id })),
        sites_vote: sitesVote,
      });
      setResult(answer);
      setUserIds([]);
      setUnitIds([]);
      setSiteIds([]);
      await reload();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const remove = async () => {
    await uninvite(meeting.id, removing.id);
    setRemoving(null);
    await reload();
  };

  return (
    <>
      <section class="card" aria-labelledby="invited-title" data-testid="invited">
        <h2 id="invited-title">
          {t('invite.invitedTitle')} <span class="muted">({board.people.length + board.sites.length})</span>
        </h2>
        <h3>{t('invite.people')} ({board.people.length})</h3>
        {board.people.length === 0 ? (
          <p class="empty">{t('invite.noPeople')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="invited-people">
              <thead>
                <tr>
                  <th scope="col">{t('attendance.person')}</th>
                  <th scope="col">{t('users.unit')}</th>
                  <th scope="col">{t('invite.how')}</th>
                  <th scope="col">{t('attendance.answer')}</th>
                  {canInvite && <th scope="col"><span class="visually-hidden">{t('common.actions')}</span></th>}
                </tr>
              </thead>
              <tbody>
                {board.people.map((inv) => (
                  <tr key={inv.id} data-testid="invited-person" data-user-id={inv.user.id}>
                    <th scope="row" class="wrap">{inv.user.full_name}{inv.user.title && <span class="sub">{inv.user.title}</span>}</th>
                    <td class="wrap">{inv.unit_name}</td>
                    <td class="wrap">{inv.via_unit_id ? t('invite.viaDepartment', { name: unitName(inv.via_unit_id) }) : t('invite.individually')}</td>
                    <td><AnswerBadge answer={inv.answer} /></td>
                    {canInvite && (
                      <td>
                        <button type="button" class="btn btn-small" data-testid="uninvite" onClick={() => setRemoving(inv)}>
                          {t('invite.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3>{t('invite.sites')} ({board.sites.length})</h3>
        {board.sites.length === 0 ? (
          <p class="empty">{t('invite.noSites')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="invited-sites">
              <thead>
                <tr>
                  <th scope="col">{t('attendance.site')}</th>
                  <th scope="col">{t('attendance.responsible')}</th>
                  <th scope="col">{t('invite.voting')}</th>
                  <th scope="col">{t('attendance.answer')}</th>
                  {canInvite && <th scope="col"><span class="visually-hidden">{t('common.actions')}</span></th>}
                </tr>
              </thead>
              <tbody>
                {board.sites.map((inv) => (
                  <tr key={inv.id} data-testid="invited-site" data-unit-id={inv.unit_id}>
                    <th scope="row" class="wrap">{inv.unit_name}</th>
                    <td class="wrap">{inv.responsible?.full_name || t('common.none')}</td>
                    <td>{inv.voting ? t('common.yes') : t('common.no')}</td>
                    <td><AnswerBadge answer={inv.answer} site /></td>
                    {canInvite && (
                      <td>
                        <button type="button" class="btn btn-small" data-testid="uninvite" onClick={() => setRemoving(inv)}>
                          {t('invite.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {canInvite && (
        <section class="card" aria-labelledby="invite-add-title" data-testid="invite-panel">
          <h2 id="invite-add-title">{t('invite.addTitle')}</h2>
          <form class="form" onSubmit={submit}>
            <div class="invite-grid">
              <PersonPicker people={persons} selected={userIds} onChange={setUserIds} taken={invitedIds}
                label={t('invite.people')} testId="invite-people" />
              <fieldset class="field checks-column" data-testid="invite-departments">
                <legend class="field-label">{t('invite.departments')}</legend>
                <p class="field-hint">{t('invite.departmentsHint')}</p>
                {departments.map((u) => (
                  <label key={u.id} class="check" data-testid="invite-department" data-unit-code={u.code}>
                    <input type="checkbox" checked={unitIds.includes(u.id)} onChange={() => toggle(unitIds, setUnitIds, u.id)} />
                    <span>{u.name}</span>
                    {invitedVia.has(u.id) && <span class="badge">{t('invite.alreadyInvited')}</span>}
                  </label>
                ))}
              </fieldset>
              <fieldset class="field checks-column" data-testid="invite-sites">
                <legend class="field-label">{t('invite.sites')}</legend>
                <label class="check check-all">
                  <input type="checkbox" checked={allSites} disabled={open.length === 0} data-testid="invite-all-sites"
                    onChange={() => setSiteIds(allSites ? [] : open)} />
                  <strong>{t('invite.allSites')}</strong>
                </label>
                <div class="site-list">
                  {sites.map(({ unit, invited }) => (
                    <label key={unit.id} class="check" data-testid="invite-site" data-unit-code={unit.code}>
                      <input type="checkbox" checked={invited || siteIds.includes(unit.id)} disabled={invited}
                        onChange={() => toggle(siteIds, setSiteIds, unit.id)} />
                      <span>{unit.name}</span>
                      {invited && <span class="badge">{t('invite.alreadyInvited')}</span>}
                    </label>
                  ))}
                </div>
                <label class="check check-vote">
                  <input type="checkbox" checked={sitesVote} onChange={(e) => setSitesVote(e.currentTarget.checked)}
                    data-testid="invite-sites-vote" />
                  {t('invite.sitesVote')}
                </label>
              </fieldset>
            </div>
            <ErrorAlert error={error} testId="invite-error" />
            {result && <InviteResult result={result} people={people} />}
            <div class="form-actions">
              <span class="muted selection-count" data-testid="invite-selection">
                {t('invite.selection', { people: userIds.length, departments: unitIds.length, sites: siteIds.length })}
              </span>
              <button type="submit" class="btn btn-primary" disabled={busy || nothing} data-testid="invite-submit">
                {busy ? t('common.saving') : t(meeting.status === 'draft' ? 'invite.submitDraft' : 'invite.submit')}
              </button>
            </div>
          </form>
        </section>
      )}
      {removing && (
        <ConfirmDialog title={t('invite.removeTitle')} danger confirmLabel={t('invite.remove')}
          text={t('invite.removeText', { name: removing.kind === 'site' ? removing.unit_name : removing.user.full_name })}
          onConfirm={remove} onClose={() => setRemoving(null)} />
      )}
    </>
  );
}
