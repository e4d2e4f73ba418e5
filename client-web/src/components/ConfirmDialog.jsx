import { useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert } from './ErrorAlert.jsx';

/**
 * Ask before doing something; onConfirm may be async and throw an ApiError,
 * which is shown in the dialog (the dialog stays open).
 */
export function ConfirmDialog({ title, text, confirmLabel, danger = false, onConfirm, onClose, testId = 'confirm-dialog' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} testId={testId}>
      <ErrorAlert error={error} testId="dialog-error" />
      {text && <p>{text}</p>}
      <div class="form-actions">
        <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
        <button type="button" class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} data-testid="confirm-ok"
          disabled={busy} onClick={confirm} autofocus>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
