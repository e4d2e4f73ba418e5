import { useRef, useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { Dialog } from './Dialog.jsx';

/** Shows a generated password once, with a copy button. */
export function PasswordDialog({ title, username, password, onClose }) {
  const [copied, setCopied] = useState(false);
  const output = useRef(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopied(true);
    } catch {
      // clipboard API needs a secure context: select the text so Ctrl+C works
      getSelection().selectAllChildren(output.current);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} testId="password-dialog">
      <p>{t('password.forUser', { username })}</p>
      <p class="secret" ref={output} data-testid="generated-password">{password}</p>
      <p class="alert alert-warning">{t('password.onceNote')}</p>
      <div class="form-actions">
        <button type="button" class="btn" onClick={copy}>
          {copied ? t('common.copied') : t('common.copy')}
        </button>
        <button type="button" class="btn btn-primary" onClick={onClose} autofocus>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}
