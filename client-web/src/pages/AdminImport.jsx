import { useState } from 'preact/hooks';
import { ROLES, importUsers } from '../api.js';
import { t } from '../i18n.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Field } from '../components/Field.jsx';
import { Page } from '../components/Page.jsx';

const COLUMNS = 'username,full_name,unit_code,roles,email,title,password';
const TEMPLATE_URL = 'data:text/csv;charset=utf-8,' + encodeURIComponent(COLUMNS + '\r\n');

/** Bulk-create users from a UTF-8 CSV file; all rows or none. */
export function AdminImport() {
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null); // {created, users}
  const [error, setError] = useState(null);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(await importUsers(file));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const rowErrors = error?.code === 'import_invalid' ? error.details?.rows || [] : null;

  return (
    <Page title={t('import.title')}>
      <section class="card">
        <p>{t('import.intro')}</p>
        <p>{t('import.columns')}</p>
        <pre class="code-block" data-testid="import-columns">{COLUMNS}</pre>
        <p>{t('import.rolesNote')}</p>
        <p>
          {t('import.roleCodes')}{' '}
          {ROLES.map((role, i) => (
            <span key={role}>{i > 0 && ', '}<code>{role}</code> ({t(`role.${role}`)})</span>
          ))}
        </p>
        <p><a href={TEMPLATE_URL} download="ecabinet-users.csv">{t('import.template')}</a></p>
        <form class="form form-inline" onSubmit={submit}>
          <Field label={t('import.file')}>
            <input type="file" accept=".csv,text/csv" required data-testid="import-file"
              onChange={(e) => setFile(e.currentTarget.files[0] || null)} />
          </Field>
          <button type="submit" class="btn btn-primary" data-testid="import-submit" disabled={busy}>
            {busy ? t('import.submitting') : t('import.submit')}
          </button>
        </form>
      </section>

      {(result || error) && (
        <section class="card" data-testid="import-result" data-created={result ? result.created : 0}>
          {result && (
            <>
              <p class="alert alert-success" role="status">{t('import.created', { count: result.created })}</p>
              {result.users.length > 0 && (
                <>
                  <p class="alert alert-warning">{t('import.passwordsNote')}</p>
                  <div class="table-wrap">
                    <table class="table">
                      <thead>
                        <tr><th scope="col">{t('users.username')}</th><th scope="col">{t('login.password')}</th></tr>
                      </thead>
                      <tbody>
                        {result.users.map((u) => (
                          <tr key={u.username}><td><code>{u.username}</code></td><td><code class="secret-inline">{u.password}</code></td></tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </>
              )}
            </>
          )}
          <ErrorAlert error={error} testId="import-error" />
          {rowErrors && (
            <>
              <p>{t('import.failed')}</p>
              <div class="table-wrap">
                <table class="table" data-testid="import-errors">
                  <thead>
                    <tr><th scope="col">{t('import.row')}</th><th scope="col">{t('import.messages')}</th></tr>
                  </thead>
                  <tbody>
                    {rowErrors.map((r) => (
                      <tr key={r.row} data-testid="import-error-row" data-row={r.row}>
                        <th scope="row">{r.row}</th>
                        <td class="wrap"><ul class="plain">{r.errors.map((m, i) => <li key={i}>{m}</li>)}</ul></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      )}
    </Page>
  );
}
