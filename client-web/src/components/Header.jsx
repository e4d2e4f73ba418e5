import { useState } from 'preact/hooks';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { LangToggle } from './LangToggle.jsx';
import { Link } from './Link.jsx';
import { NotificationBell } from './NotificationBell.jsx';

const MAIN_LINKS = [
  ['/', 'nav.home', 'nav-home'],
  ['/calendar', 'nav.calendar', 'nav-calendar'],
  ['/tasks', 'nav.tasks', 'nav-tasks'],
  ['/archive', 'nav.archive', 'nav-archive'],
  ['/verify', 'nav.verify', 'nav-verify'],
  ['/notifications', 'nav.notifications', 'nav-notifications'],
  ['/account', 'nav.account', 'nav-account'],
];

const ADMIN_LINKS = [
  ['/admin/units', 'nav.units', 'nav-admin-units'],
  ['/admin/users', 'nav.users', 'nav-admin-users'],
  ['/admin/import', 'nav.import', 'nav-admin-import'],
];

/** The document search box: opens /search?q=… (the search page has its own box). */
function HeaderSearch() {
  const [query, setQuery] = useState('');
  const submit = (event) => {
    event.preventDefault();
    if (query.trim()) navigate(`/search?q=${encodeURIComponent(query.trim())}`);
  };
  return (
    <form class="header-search" role="search" onSubmit={submit}>
      <label>
        <span class="visually-hidden">{t('search.label')}</span>
        <input type="search" value={query} placeholder={t('search.headerPlaceholder')} onInput={(e) => setQuery(e.currentTarget.value)}
          data-testid="header-search" />
      </label>
      <button type="submit" class="btn btn-ghost btn-small" data-testid="header-search-submit">{t('common.search')}</button>
    </form>
  );
}

/** Top bar (app name, search, notifications, current user, language, logout) and the navigation strip. */
export function Header({ user, path, onLogout }) {
  const isAdmin = user.roles.includes('admin');
  const current = (href) => path === href || (href === '/' && path.startsWith('/meetings/'));
  const item = ([href, key, testId]) => (
    <li key={href}>
      <Link href={href} current={current(href)} data-testid={testId}>{t(key)}</Link>
    </li>
  );
  return (
    <header class="topbar">
      <div class="topbar-main">
        <Link href="/" class="brand">
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-sub">{t('app.subtitle')}</span>
        </Link>
        <div class="topbar-user">
          {path !== '/search' && <HeaderSearch />}
          <NotificationBell />
          <Link href="/account" class="user-info" title={t('nav.account')}>
            <span class="user-name" data-testid="current-user">{user.full_name}</span>
            <span class="user-unit">{user.unit_name}</span>
          </Link>
          <LangToggle />
          <button type="button" class="btn btn-ghost" data-testid="logout" onClick={onLogout}>
            {t('nav.logout')}
          </button>
        </div>
      </div>
      <nav class="nav" aria-label={t('nav.main')}>
        <ul>
          {MAIN_LINKS.map(item)}
          {isAdmin && <li class="nav-label" aria-hidden="true">{t('nav.admin')}</li>}
          {isAdmin && ADMIN_LINKS.map(item)}
        </ul>
      </nav>
    </header>
  );
}
