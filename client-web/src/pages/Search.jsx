import { useEffect, useState } from 'preact/hooks';
import { searchDocuments } from '../api.js';
import { t } from '../i18n.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Link } from '../components/Link.jsx';
import { Page } from '../components/Page.jsx';

function queryFromUrl() {
  return new URLSearchParams(location.search).get('q') || '';
}

/**
 * Search in the text of every document of the meetings I may see (the server ignores
 * Vietnamese diacritics): results show the meeting, the document, the page and a snippet;
 * a result opens the viewer at that page.
 */
export function Search() {
  const [query, setQuery] = useState(queryFromUrl);
  const [asked, setAsked] = useState(queryFromUrl);
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    if (!asked.trim()) {
      setResults(null);
      return undefined;
    }
    let current = true;
    setResults(undefined);
    searchDocuments(asked.trim()).then(
      (r) => current && (setResults(r), setError(null)),
      (err) => current && (setError(err), setResults(null)),
    );
    return () => {
      current = false;
    };
  }, [asked]);

  const submit = (event) => {
    event.preventDefault();
    setAsked(query);
    history.replaceState(null, '', query.trim() ? `/search?q=${encodeURIComponent(query.trim())}` : '/search');
  };
  return (
    <Page title={t('search.title')}>
      <form class="search-form" role="search" onSubmit={submit}>
        <label class="field">
          <span class="field-label">{t('search.label')}</span>
          <input type="search" value={query} placeholder={t('search.placeholder')} onInput={(e) => setQuery(e.currentTarget.value)}
            data-testid="search-input" autofocus />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="search-submit">{t('common.search')}</button>
      </form>
      <ErrorAlert error={error} testId="page-error" />
      {results === undefined && <p class="loading" role="status">{t('app.loading')}</p>}
      {results && results.length === 0 && <p class="empty card" data-testid="search-empty">{t('search.none', { query: asked })}</p>}
      {results && results.length > 0 && (
        <>
          <p class="muted" data-testid="search-count">{t('search.count', { count: results.length })}</p>
          <ul class="search-results" data-testid="search-results">
            {results.map((r, i) => (
              <li key={`${r.document_id}-${r.page}-${i}`} class="search-result" data-testid="search-result"
                data-document-id={r.document_id} data-page={r.page}>
                <Link href={`/documents/${r.document_id}?page=${r.page}`} class="search-doc" data-testid="search-result-link">
                  {r.document_title} — {t('viewer.pageShort', { page: r.page })}
                </Link>
                <span class="search-meeting">
                  <Link href={`/meetings/${r.meeting_id}`}>{r.meeting_title}</Link>
                </span>
                <p class="search-snippet">{r.snippet}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
