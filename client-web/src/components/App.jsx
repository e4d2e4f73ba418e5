import { useEffect, useState } from 'preact/hooks';
import { getSession, logout, setUnauthorizedHandler } from '../api.js';
import { onLangChange, t } from '../i18n.js';
import { navigate, usePath } from '../router.js';
import { AdminImport } from '../pages/AdminImport.jsx';
import { AdminUnits } from '../pages/AdminUnits.jsx';
import { AdminUsers } from '../pages/AdminUsers.jsx';
import { Forbidden } from '../pages/Forbidden.jsx';
import { Home } from '../pages/Home.jsx';
import { Login } from '../pages/Login.jsx';
import { NotFound } from '../pages/NotFound.jsx';
import { Header } from './Header.jsx';

const ROUTES = {
  '/': Home,
  '/admin/units': AdminUnits,
  '/admin/users': AdminUsers,
  '/admin/import': AdminImport,
};

/** Root: session state, auth redirects, language re-render, page routing. */
export function App() {
  const rawPath = usePath();
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const [user, setUser] = useState(undefined); // undefined: checking, null: logged out
  const [, setLang] = useState(null);

  useEffect(() => onLangChange(setLang), []);
  useEffect(() => {
    setUnauthorizedHandler(() => setUser(null));
    getSession().then((session) => setUser(session.user), () => setUser(null));
  }, []);
  useEffect(() => {
    if (user === null && path !== '/login') navigate('/login', { replace: true });
    else if (user && path === '/login') navigate('/', { replace: true });
  }, [user, path]);

  if (user === undefined) return <p class="loading" role="status">{t('app.loading')}</p>;
  if (user === null) return path === '/login' ? <Login onLogin={setUser} /> : null;
  if (path === '/login') return null;

  const onLogout = async () => {
    await logout().catch(() => {});
    setUser(null);
  };
  const allowed = !path.startsWith('/admin') || user.roles.includes('admin');
  const Current = allowed ? ROUTES[path] || NotFound : Forbidden;
  return (
    <>
      <Header user={user} path={path} onLogout={onLogout} />
      <Current user={user} />
    </>
  );
}
