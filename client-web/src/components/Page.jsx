import { useEffect } from 'preact/hooks';
import { t } from '../i18n.js';

/** Page frame: the <h1> title (also the document title) and optional actions. */
export function Page({ title, actions, children }) {
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title]);
  return (
    <main id="main" class="page">
      <div class="page-head">
        <h1 data-testid="page-title">{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
      {children}
    </main>
  );
}
