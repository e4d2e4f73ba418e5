import { useState } from 'preact/hooks';
import { verifyPdf } from '../api.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../time.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Page } from '../components/Page.jsx';

/** The outcome in big letters: green when the signature holds, red otherwise, and why. */
function Result({ result, name }) {
  const ok = result.valid;
  const row = (label, value, testId) => (
    <div class="detail">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value || t('common.none')}</dd>
    </div>
  );
  return (
    <section class={`verify-result ${ok ? 'is-valid' : 'is-invalid'}`} role="status" aria-live="polite"
      data-testid="verify-result" data-valid={ok ? 'true' : 'false'} data-code={result.code}>
      <div class="verify-verdict">
        <span class="verify-mark" aria-hidden="true">{ok ? '✓' : '✗'}</span>
        <div>
          <p class="verify-title" data-testid="verify-title">{t(ok ? 'verify.valid' : 'verify.invalid')}</p>
          <p class="verify-message" data-testid="verify-message">{result.message}</p>
        </div>
      </div>
      <dl class="details">
        {row(t('verify.file'), name, 'verify-file-name')}
        {row(t('minutes.signer'), result.signer_name, 'verify-signer')}
        {row(t('verify.unit'), result.signer_unit, 'verify-unit')}
        {row(t('minutes.signedAt'), result.signed_at ? formatDateTime(result.signed_at) : '', 'verify-signed-at')}
        {row(t('verify.reason'), result.reason, 'verify-reason')}
        {row(t('verify.intact'), t(result.intact ? 'verify.yes' : 'verify.no'), 'verify-intact')}
        {row(t('verify.trusted'), t(result.trusted ? 'verify.yes' : 'verify.no'), 'verify-trusted')}
        {row(t('verify.signatures'), String(result.signatures), 'verify-signatures')}
      </dl>
    </section>
  );
}

/**
 * Kiểm tra chữ ký số: choose a PDF (a signed biên bản, a notice), the server checks
 * its signature (intact since signing? by whom? issued by a trusted authority?).
 * The file is sent as is; nothing is stored.
 */
export function Verify() {
  const [file, setFile] = useState(null);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const check = async (chosen) => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await verifyPdf(chosen));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const choose = (event) => {
    const chosen = event.currentTarget.files[0] || null;
    setFile(chosen);
    check(chosen);
  };

  return (
    <Page title={t('verify.title')}>
      <p class="lead">{t('verify.lead')}</p>
      <section class="card verify-form">
        <form class="form form-inline" onSubmit={(e) => (e.preventDefault(), check(file))}>
          <label class="field">
            <span class="field-label">{t('verify.choose')}</span>
            <input type="file" accept="application/pdf,.pdf" onChange={choose} disabled={busy} data-testid="verify-file" />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy || !file} data-testid="verify-submit">
            {busy ? t('verify.checking') : t('verify.check')}
          </button>
        </form>
        <p class="muted small">{t('verify.privacy')}</p>
      </section>
      {busy && <p class="loading" role="status">{t('verify.checking')}</p>}
      <ErrorAlert error={error} testId="verify-error" />
      {result && <Result result={result} name={file?.name} />}
    </Page>
  );
}
