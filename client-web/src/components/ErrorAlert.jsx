import { t } from '../i18n.js';

/** Text for an error: the server's (already localised) message, else a generic one. */
export function errorText(error) {
  if (error.message) return error.message;
  if (error.status === 0) return t('error.network');
  return t('error.http', { status: error.status });
}

/** A visible alert box for an error; renders nothing when there is none. */
export function ErrorAlert({ error, testId }) {
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert" data-testid={testId}>
      {errorText(error)}
    </div>
  );
}

/**
 * Which request fields the server rejected (`details.fields` of an
 * `invalid_input` error), as a function giving the aria-invalid value for a field.
 */
export function invalidFields(error) {
  const names = new Set((error?.details?.fields || []).map((f) => f.field));
  return (name) => (names.has(name) ? 'true' : undefined);
}
