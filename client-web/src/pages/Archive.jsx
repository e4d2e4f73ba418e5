import { useEffect, useState } from 'preact/hooks';
import { listMeetings, listUnits, searchDocuments } from '../api.js';
import { t } from '../i18n.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Link } from '../components/Link.jsx';
import { Page } from '../components/Page.jsx';
import { MeetingFilters, MeetingResults } from '../components/MeetingSearch.jsx';
import { MeetingCard } from './Home.jsx';

const HELD = ['ended', 'archived'];

/** Past meetings and the ended ones whose planned time is still ahead, newest first, each once. */
function archived(past, later) {
  const seen = new Set(past.map((m) => m.id));
  const early = later.filter((m) => HELD.includes(m.status) && !seen.has(m.id));
  return [...past, ...early].sort((a, b) => (a.starts_at < b.starts_at ? 1 : -1));
}

/** Full-text search in the documents of the meetings I may see (the existing /api/search). */
function DocumentSearch() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    if (!query.trim()) return;
    setResults(undefined);
    setError(null);
    try {
      setResults(await searchDocuments(query.trim()));
    } catch (err) {
      setError(err);
      setResults(null);
    }
  };
  return (
    <section class="card" aria-labelledby="archive-docs-title">
      <h2 id="archive-docs-title">{t('archive.documents')}</h2>
      <form class="search-form" role="search" onSubmit={submit}>
        <label class="field">
          <span class="field-label">{t('search.label')}</span>
          <input type="search" value={query} placeholder={t('search.placeholder')} onInput={(e) => setQuery(e.currentTarget.value)}
            data-testid="archive-doc-search" />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="archive-doc-submit">{t('common.search')}</button>
      </form>
      <ErrorAlert error={error} testId="archive-doc-error" />
      {results === undefined && <p class="loading" role="status">{t('app.loading')}</p>}
      {results && results.length === 0 && <p class="empty" data-testid="archive-doc-empty">{t('search.none', { query })}</p>}
      {results && results.length > 0 && (
        <ul class="search-results" data-testid="archive-doc-results">
          {results.map((r, i) => (
            <li key={`${r.document_id}-${r.page}-${i}`} class="search-result" data-testid="archive-doc-result">
              <Link href={`/documents/${r.document_id}?page=${r.page}`} class="search-doc">
                {r.document_title} — {t('viewer.pageShort', { page: r.page })}
              </Link>
              <span class="search-meeting"><Link href={`/meetings/${r.meeting_id}`}>{r.meeting_title}</Link></span>
              <p class="search-snippet">{r.snippet}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Lưu trữ: the meetings that have taken place (newest first), searchable by title and
 * unit, and a full-text search in their documents.
 */
export function Archive() {
  const [query, setQuery] = useState('');
  const [unitId, setUnitId] = useState(null);
  const [units, setUnits] = useState([]);
  const [meetings, setMeetings] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    listUnits().then(setUnits, setError);
  }, []);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      const now = new Date().toISOString();
      const filters = { q: query.trim(), unit_id: unitId };
      // scheduled before now, and those held early (ended before their planned time)
      Promise.all([
        listMeetings({ ...filters, to: now, limit: 2000 }),
        listMeetings({ ...filters, from: now }),
      ]).then(
        ([past, later]) => {
          if (!current) return;
          setMeetings(archived(past, later));
          setError(null);
        },
        (err) => current && setError(err),
      );
    }, query ? 250 : 0);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, unitId]);

  return (
    <Page title={t('archive.title')}>
      <p class="lead">{t('archive.lead')}</p>
      <section class="card" aria-labelledby="archive-meetings-title">
        <h2 id="archive-meetings-title">{t('archive.meetings')}</h2>
        <MeetingFilters query={query} onQuery={setQuery} units={units} unitId={unitId} onUnit={setUnitId}
          searchTestId="archive-search" unitTestId="archive-unit" />
        <MeetingResults meetings={meetings} error={error} Card={MeetingCard} emptyClass="empty"
          emptyTestId="archive-empty" listTestId="archive-list"
          empty={t(query.trim() || unitId !== null ? 'home.noMatch' : 'archive.none')} />
      </section>
      <DocumentSearch />
    </Page>
  );
}
