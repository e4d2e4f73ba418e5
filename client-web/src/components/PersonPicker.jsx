import { useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { fold } from '../meetings.js';

/**
 * Searchable multi-select of people (diacritics-insensitive on name, username,
 * unit and job title). `taken` ids are shown ticked and disabled (e.g. already invited).
 */
export function PersonPicker({ people, selected, onChange, taken = new Set(), label, testId = 'person-picker' }) {
  const [query, setQuery] = useState('');
  const needle = fold(query.trim());
  const shown = needle
    ? people.filter((p) => fold(`${p.full_name} ${p.username} ${p.unit_name} ${p.title || ''}`).includes(needle))
    : people;
  const toggle = (id) => onChange(selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]);
  const chosen = people.filter((p) => selected.includes(p.id));

  return (
    <div class="picker" data-testid={testId}>
      <label class="field">
        <span class="field-label">{label}</span>
        <input type="search" value={query} placeholder={t('picker.searchPeople')}
          onInput={(e) => setQuery(e.currentTarget.value)} data-testid={`${testId}-search`} />
      </label>
      <ul class="picker-list" aria-label={label}>
        {shown.length === 0 && <li class="muted picker-empty">{t('picker.noMatch')}</li>}
        {shown.map((p) => {
          const isTaken = taken.has(p.id);
          return (
            <li key={p.id}>
              <label class="check picker-option" data-testid={`${testId}-option`} data-username={p.username}>
                <input type="checkbox" checked={isTaken || selected.includes(p.id)} disabled={isTaken}
                  onChange={() => toggle(p.id)} />
                <span>
                  {p.full_name}
                  <span class="sub">{[p.title, p.unit_name].filter(Boolean).join(' · ')}</span>
                </span>
                {isTaken && <span class="badge">{t('invite.alreadyInvited')}</span>}
              </label>
            </li>
          );
        })}
      </ul>
      {chosen.length > 0 && (
        <div class="chips" aria-label={t('picker.chosen')}>
          {chosen.map((p) => (
            <button key={p.id} type="button" class="chip" onClick={() => toggle(p.id)}
              title={t('picker.remove')} aria-label={`${t('picker.remove')}: ${p.full_name}`}>
              {p.full_name} <span aria-hidden="true">×</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
