import { useEffect, useState } from 'preact/hooks';
import { login } from '../api.js';
import { t } from '../i18n.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { LangToggle } from '../components/LangToggle.jsx';

/** Login form; onLogin(user) is called after a successful login. */
export function Login({ onLogin }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    document.title = `${t('login.title')} · ${t('app.name')}`;
  });

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await login(username.trim(), password);
      onLogin(session.user);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login-page">
      <div class="login-lang"><LangToggle /></div>
      <div class="login-card">
        <header class="login-head">
          <h1 class="logo" data-testid="page-title">{t('app.name')}</h1>
          <p class="subtitle">{t('app.subtitle')}</p>
        </header>
        <form class="form" onSubmit={submit}>
          <h2>{t('login.title')}</h2>
          <ErrorAlert error={error} testId="login-error" />
          <div class="field">
            <label class="field-label" for="username">{t('login.username')}</label>
            <input id="username" name="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)}
              autocomplete="username" autocapitalize="none" spellcheck={false} required autofocus />
          </div>
          <div class="field">
            <label class="field-label" for="password">{t('login.password')}</label>
            <input id="password" name="password" type="password" value={password}
              onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="current-password" required />
          </div>
          <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
