import { t } from '../i18n.js';
import { PdfPage, usePdf } from './PdfPage.jsx';

/**
 * Every page of a PDF, one under the other, fitted to the width (PDF.js, the
 * documents viewer's renderer). For short documents: the minutes, a notice.
 */
export function PdfPreview({ url, title, testId = 'pdf-preview' }) {
  const { doc, error } = usePdf(url);
  const pages = doc ? Array.from({ length: doc.numPages }, (_, i) => i + 1) : [];
  return (
    <div class="pdf-preview" data-testid={testId} data-pages={doc ? doc.numPages : ''} data-state={error ? 'error' : doc ? 'ready' : 'loading'}>
      <div class="pdf-preview-head">
        <span class="muted small">{doc ? t('preview.pages', { count: doc.numPages }) : ''}</span>
        <a href={url} target="_blank" rel="noopener" class="btn btn-small" data-testid={`${testId}-open`}>{t('preview.openPdf')}</a>
      </div>
      {error && <p class="alert alert-error" role="alert" data-testid={`${testId}-error`}>{t('preview.error')}</p>}
      {!doc && !error && <p class="loading" role="status">{t('preview.rendering')}</p>}
      {pages.map((page) => (
        <PdfPage key={page} doc={doc} page={page} fitWidth testId={`${testId}-page`}
          label={`${title || ''} — ${t('viewer.pageOf', { page, pages: doc.numPages })}`} />
      ))}
    </div>
  );
}
