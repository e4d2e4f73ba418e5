import { useState } from 'preact/hooks';
import { ROLES, createUser, updateUser } from '../api.js';
import { t } from '../i18n.js';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert, invalidFields } from './ErrorAlert.jsx';
import { Field } from './Field.jsx';
import { UnitSelect } from './UnitSelect.jsx';

/**
 * Create a user (user = null) or edit one. onSaved(user, password) gets the
 * generated password on create, undefined on edit.
 */
export function UserForm({ user, units, onSaved, onClose }) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [fullName, setFullName] = useState(user?.full_name ?? '');
  const [unitId, setUnitId] = useState(user?.unit_id ?? null);
  const [roles, setRoles] = useState(user?.roles ?? ['delegate']);
  const [email, setEmail] = useState(user?.email ?? '');
  const [title, setTitle] = useState(user?.title ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const invalid = invalidFields(error);
  const toggleRole = (role) =>
    setRoles((current) => (current.includes(role) ? current.filter((r) => r !== role) : [...current, role]));

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const data = {
      full_name: fullName.trim(),
      unit_id: unitId,
      roles: ROLES.filter((r) => roles.includes(r)),
      email: email.trim() || null,
      title: title.trim() || null,
    };
    try {
      if (user) {
        onSaved(await updateUser(user.id, data));
      } else {
        const created = await createUser({ username: username.trim(), ...data });
        onSaved(created.user, created.password);
      }
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={t(user ? 'users.editTitle' : 'users.createTitle')} onClose={onClose} testId="user-form">
      <form class="form" onSubmit={submit}>
        <ErrorAlert error={error} testId="form-error" />
        <Field label={t('users.username')} hint={user ? undefined : t('users.usernameHint')}>
          <input name="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)}
            required readOnly={Boolean(user)} autocomplete="off" autocapitalize="none" spellcheck={false}
            autofocus={!user} aria-invalid={invalid('username')} />
        </Field>
        <Field label={t('users.fullName')}>
          <input name="full_name" value={fullName} onInput={(e) => setFullName(e.currentTarget.value)}
            required autofocus={Boolean(user)} aria-invalid={invalid('full_name')} />
        </Field>
        <Field label={t('users.unit')}>
          <UnitSelect name="unit_id" units={units} value={unitId} onChange={setUnitId}
            emptyLabel={t('users.chooseUnit')} required aria-invalid={invalid('unit_id')} />
        </Field>
        <fieldset class="field checks" aria-invalid={invalid('roles')}>
          <legend class="field-label">{t('users.roles')}</legend>
          {ROLES.map((role) => (
            <label key={role} class="check">
              <input type="checkbox" name="roles" value={role} checked={roles.includes(role)} onChange={() => toggleRole(role)} />
              {t(`role.${role}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t('users.email')}>
          <input name="email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} aria-invalid={invalid('email')} />
        </Field>
        <Field label={t('users.jobTitle')}>
          <input name="title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} aria-invalid={invalid('title')} />
        </Field>
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
