import { useEffect, useState } from 'preact/hooks';
import { ROLES, listUnits, listUsers, resetPassword, updateUser } from '../api.js';
import { t } from '../i18n.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Page } from '../components/Page.jsx';
import { PasswordDialog } from '../components/PasswordDialog.jsx';
import { UnitSelect } from '../components/UnitSelect.jsx';
import { UserForm } from '../components/UserForm.jsx';

/** Role labels in the standard order (unknown roles last, by their code). */
function roleLabels(roles) {
  const rank = (role) => (ROLES.includes(role) ? ROLES.indexOf(role) : ROLES.length);
  const sorted = [...roles].sort((a, b) => rank(a) - rank(b));
  return sorted.map((role) => t(`role.${role}`)).join(', ') || t('common.none');
}

/** Users: filter by unit and text, create, edit, disable/enable, reset password. */
export function AdminUsers() {
  const [units, setUnits] = useState([]);
  const [users, setUsers] = useState(null);
  const [unitId, setUnitId] = useState(null);
  const [query, setQuery] = useState('');
  const [reload, setReload] = useState(0);
  const [error, setError] = useState(null);
  const [form, setForm] = useState(null); // {user: User|null}
  const [secret, setSecret] = useState(null); // {title, username, password}: shown once

  useEffect(() => {
    listUnits().then(setUnits, setError);
  }, []);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      listUsers({ unit_id: unitId, q: query.trim() }).then(
        (list) => current && (setUsers(list), setError(null)),
        (err) => current && setError(err),
      );
    }, query ? 250 : 0);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [unitId, query, reload]);

  const run = async (action) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  };
  const toggle = (user) => run(async () => {
    const saved = await updateUser(user.id, { disabled: !user.disabled });
    setUsers((list) => list.map((u) => (u.id === saved.id ? saved : u)));
  });
  const reset = (user) => run(async () => {
    const password = await resetPassword(user.id);
    setSecret({ title: t('password.resetTitle'), username: user.username, password });
  });
  const onSaved = (user, password) => {
    setForm(null);
    setReload((n) => n + 1);
    if (password) setSecret({ title: t('password.createdTitle'), username: user.username, password });
  };

  const actions = (
    <button type="button" class="btn btn-primary" data-testid="user-create" onClick={() => setForm({ user: null })}>
      {t('users.create')}
    </button>
  );
  return (
    <Page title={t('users.title')} actions={actions}>
      <div class="toolbar" role="search">
        <label class="field">
          <span class="field-label">{t('users.filterUnit')}</span>
          <UnitSelect units={units} value={unitId} onChange={setUnitId} emptyLabel={t('users.allUnits')} data-testid="user-filter-unit" />
        </label>
        <label class="field">
          <span class="field-label">{t('common.search')}</span>
          <input type="search" value={query} placeholder={t('users.searchPlaceholder')}
            onInput={(e) => setQuery(e.currentTarget.value)} data-testid="user-search" />
        </label>
      </div>
      <ErrorAlert error={error} testId="page-error" />
      {users === null ? (
        !error && <p class="loading" role="status">{t('app.loading')}</p>
      ) : (
        <>
          <p class="muted">{t('users.count', { count: users.length })}</p>
          <div class="table-wrap">
            <table class="table" data-testid="user-table">
              <thead>
                <tr>
                  <th scope="col">{t('users.username')}</th>
                  <th scope="col">{t('users.fullName')}</th>
                  <th scope="col">{t('users.unit')}</th>
                  <th scope="col">{t('users.roles')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {users.length === 0 && (
                  <tr><td colSpan={6} class="empty">{t('users.empty')}</td></tr>
                )}
                {users.map((user) => (
                  <tr key={user.id} data-testid="user-row" data-username={user.username}
                    class={user.disabled ? 'is-disabled' : undefined}>
                    <th scope="row"><code>{user.username}</code></th>
                    <td class="wrap">
                      {user.full_name}
                      {user.title && <span class="sub">{user.title}</span>}
                    </td>
                    <td class="wrap">{user.unit_name}</td>
                    <td class="wrap">{roleLabels(user.roles)}</td>
                    <td>{user.disabled ? t('common.disabled') : t('common.active')}</td>
                    <td>
                      <div class="row-actions">
                        <button type="button" class="btn btn-small" data-testid="user-edit" onClick={() => setForm({ user })}>
                          {t('common.edit')}
                        </button>
                        <button type="button" class="btn btn-small" data-testid="user-reset-password" onClick={() => reset(user)}>
                          {t('users.resetPassword')}
                        </button>
                        <button type="button" class="btn btn-small" data-testid="user-toggle" onClick={() => toggle(user)}>
                          {user.disabled ? t('common.enable') : t('common.disable')}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {form && <UserForm user={form.user} units={units} onSaved={onSaved} onClose={() => setForm(null)} />}
      {secret && <PasswordDialog {...secret} onClose={() => setSecret(null)} />}
    </Page>
  );
}
