import { otherLang, setLang, t } from '../i18n.js';

/** Switches vi ↔ en; its text names the other language, in that language. */
export function LangToggle() {
  const next = otherLang();
  return (
    <button type="button" class="btn btn-ghost lang-toggle" data-testid="lang-toggle" lang={next}
      title={t('lang.switchLabel')} onClick={() => setLang(next)}>
      {t('lang.switch')}
    </button>
  );
}
