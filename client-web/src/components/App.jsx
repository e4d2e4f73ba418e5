import { useEffect, useState } from 'preact/hooks';
import { getSession, logout, setUnauthorizedHandler } from '../api.js';
import { onLangChange, t } from '../i18n.js';
import { onLive, startLive, stopLive } from '../live.js';
import { canCreateMeeting } from '../meetings.js';
import { clearNotifications, receiveNotification, refreshNotifications } from '../notifications.js';
import { navigate, usePath } from '../router.js';
import { Account } from '../pages/Account.jsx';
import { AdminImport } from '../pages/AdminImport.jsx';
import { AdminUnits } from '../pages/AdminUnits.jsx';
import { AdminUsers } from '../pages/AdminUsers.jsx';
import { Calendar } from '../pages/Calendar.jsx';
import { DocumentViewer } from '../pages/DocumentViewer.jsx';
import { Forbidden } from '../pages/Forbidden.jsx';
import { HallDisplay } from '../pages/HallDisplay.jsx';
import { Home } from '../pages/Home.jsx';
import { Kiosk } from '../pages/Kiosk.jsx';
import { Login } from '../pages/Login.jsx';
import { MeetingNew } from '../pages/MeetingNew.jsx';
import { MeetingPage } from '../pages/MeetingPage.jsx';
import { MeetingRoom } from '../pages/MeetingRoom.jsx';
import { NotFound } from '../pages/NotFound.jsx';
import { Notifications } from '../pages/Notifications.jsx';
import { Search } from '../pages/Search.jsx';
import { Archive } from '../pages/Archive.jsx';
import { Tasks } from '../pages/Tasks.jsx';
import { Verify } from '../pages/Verify.jsx';
import { Header } from './Header.jsx';

const ROUTES = {
  '/': Home,
  '/calendar': Calendar,
  '/notifications': Notifications,
  '/account': Account,
  '/search': Search,
  '/tasks': Tasks,
  '/archive': Archive,
  '/verify': Verify,
  '/meetings/new': MeetingNew,
  '/admin/units': AdminUnits,
  '/admin/users': AdminUsers,
  '/admin/import': AdminImport,
};

// Paths with a number: the meeting, its live room, the hall display, a commune's kiosk, a document.
const PATTERNS = [
  [/^\/meetings\/(\d+)$/, MeetingPage],
  [/^\/meetings\/(\d+)\/room$/, MeetingRoom],
  [/^\/meetings\/(\d+)\/hall$/, HallDisplay],
  [/^\/kiosk\/(\d+)$/, Kiosk],
  [/^\/documents\/(\d+)$/, DocumentViewer],
];

/** The page for a path, with its parameters: fixed paths first, then the numbered ones. */
function match(path) {
  if (ROUTES[path]) return { Component: ROUTES[path], params: {} };
  for (const [pattern, Component] of PATTERNS) {
    const found = pattern.exec(path);
    if (found) return { Component, params: { id: Number(found[1]) } };
  }
  return { Component: NotFound, params: {} };
}

function allowed(path, user) {
  if (path.startsWith('/admin')) return user.roles.includes('admin');
  if (path === '/meetings/new') return canCreateMeeting(user);
  return true;
}

/** Root: session state, auth redirects, language re-render, live channel, page routing. */
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
  // While logged in: the live channel and the notification centre. A
  // (re)connect reloads the list, so nothing missed while offline is lost.
  const userId = user?.id;
  useEffect(() => {
    if (!userId) return undefined;
    const offs = [
      onLive('notification', receiveNotification),
      onLive('status', (status) => status === 'connected' && refreshNotifications().catch(() => {})),
    ];
    startLive();
    refreshNotifications().catch(() => {});
    return () => {
      offs.forEach((off) => off());
      stopLive();
      clearNotifications();
    };
  }, [userId]);

  if (user === undefined) return <p class="loading" role="status">{t('app.loading')}</p>;
  if (user === null) return path === '/login' ? <Login onLogin={setUser} /> : null;
  if (path === '/login') return null;

  const onLogout = async () => {
    await logout().catch(() => {});
    setUser(null);
  };
  const { Component, params } = allowed(path, user) ? match(path) : { Component: Forbidden, params: {} };
  // A full-screen page (the commune kiosk) has no header.
  if (Component.fullScreen) return <Component key={path} user={user} params={params} onLogout={onLogout} />;
  return (
    <>
      <Header user={user} path={path} onLogout={onLogout} />
      <Component key={path} user={user} params={params} onSignedOut={() => setUser(null)} />
    </>
  );
}
