import { t } from '../i18n.js';
import { ErrorAlert } from './ErrorAlert.jsx';
import { UnitSelect } from './UnitSelect.jsx';

/** The search box and unit filter above a list of meetings ("my meetings", the archive). */
export function MeetingFilters({ query, onQuery, units, unitId, onUnit, searchTestId, unitTestId }) {
  return (
    <div class="toolbar" role="search">
      <label class="field">
        <span class="field-label">{t('common.search')}</span>
        <input type="search" value={query} placeholder={t('home.searchPlaceholder')}
          onInput={(e) => onQuery(e.currentTarget.value)} data-testid={searchTestId} />
      </label>
      <label class="field">
        <span class="field-label">{t('users.filterUnit')}</span>
        <UnitSelect units={units} value={unitId} onChange={onUnit} emptyLabel={t('users.allUnits')} data-testid={unitTestId} />
      </label>
    </div>
  );
}

/** Loading, the error, the empty message, or the count and the cards. */
export function MeetingResults({ meetings, error, empty, emptyClass, emptyTestId, listTestId, Card }) {
  return (
    <>
      <ErrorAlert error={error} testId="page-error" />
      {meetings === null ? (
        !error && <p class="loading" role="status">{t('app.loading')}</p>
      ) : meetings.length === 0 ? (
        <p class={emptyClass} data-testid={emptyTestId}>{empty}</p>
      ) : (
        <>
          <p class="muted">{t('home.count', { count: meetings.length })}</p>
          <ul class="meeting-list" data-testid={listTestId}>
            {meetings.map((m) => <Card key={m.id} meeting={m} />)}
          </ul>
        </>
      )}
    </>
  );
}
