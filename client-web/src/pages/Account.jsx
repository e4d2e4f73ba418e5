import { useState } from 'preact/hooks';
import { changePassword, logoutAll } from '../api.js';
import { t } from '../i18n.js';
import { ConfirmDialog } from '../components/ConfirmDialog.jsx';
import { ErrorAlert, invalidFields } from '../components/ErrorAlert.jsx';
import { Field } from '../components/Field.jsx';
import { Page } from '../components/Page.jsx';

/** My account: who I am, change my password, log out on every device. */
export function Account({ user, onSignedOut }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const invalid = invalidFields(error);

  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    if (next !== again) {
      setError({ message: t('account.mismatch'), details: { fields: [{ field: 'new_password' }] } });
      return;
    }
    setBusy(true);
    try {
      await changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
      setAgain('');
    } catch (err) {
      setError(err.code === 'bad_current_password' ? { ...err, message: err.message, details: { fields: [{ field: 'current_password' }] } } : err);
    }
    setBusy(false);
  };

  return (
    <Page title={t('account.title')}>
      <section class="card" aria-labelledby="me-title">
        <h2 id="me-title">{t('account.me')}</h2>
        <dl class="details">
          <div class="detail"><dt>{t('users.fullName')}</dt><dd>{user.full_name}</dd></div>
          <div class="detail"><dt>{t('users.username')}</dt><dd><code>{user.username}</code></dd></div>
          <div class="detail"><dt>{t('users.unit')}</dt><dd>{user.unit_name}</dd></div>
          <div class="detail"><dt>{t('users.roles')}</dt><dd>{user.roles.map((r) => t(`role.${r}`)).join(', ')}</dd></div>
        </dl>
      </section>
      <div class="grid-2 account-grid">
        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title">{t('account.passwordTitle')}</h2>
          <form class="form" onSubmit={submit} data-testid="password-form">
            <ErrorAlert error={error} testId="password-error" />
            {done && <p class="alert alert-success" role="status" data-testid="password-changed">{t('account.changed')}</p>}
            <Field label={t('account.current')}>
              <input type="password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required
                autocomplete="current-password" aria-invalid={invalid('current_password')} data-testid="password-current" />
            </Field>
            <Field label={t('account.new')} hint={t('account.newHint')}>
              <input type="password" value={next} onInput={(e) => setNext(e.currentTarget.value)} required minLength={8}
                autocomplete="new-password" aria-invalid={invalid('new_password')} data-testid="password-new" />
            </Field>
            <Field label={t('account.again')}>
              <input type="password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} required minLength={8}
                autocomplete="new-password" aria-invalid={invalid('new_password')} data-testid="password-again" />
            </Field>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary" disabled={busy} data-testid="password-submit">
                {busy ? t('common.saving') : t('account.change')}
              </button>
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="sessions-title">
          <h2 id="sessions-title">{t('account.sessionsTitle')}</h2>
          <p>{t('account.sessionsText')}</p>
          <button type="button" class="btn btn-danger" onClick={() => setConfirmAll(true)} data-testid="logout-all">
            {t('account.logoutAll')}
          </button>
        </section>
      </div>
      {confirmAll && (
        <ConfirmDialog title={t('account.logoutAll')} text={t('account.logoutAllConfirm')} confirmLabel={t('account.logoutAll')}
          danger testId="logout-all-dialog"
          onConfirm={async () => {
            await logoutAll();
            onSignedOut();
          }}
          onClose={() => setConfirmAll(false)} />
      )}
    </Page>
  );
}
