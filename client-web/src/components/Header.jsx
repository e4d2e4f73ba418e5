import { t } from '../i18n.js';
import { LangToggle } from './LangToggle.jsx';
import { Link } from './Link.jsx';

const ADMIN_LINKS = [
  ['/admin/units', 'nav.units', 'nav-admin-units'],
  ['/admin/users', 'nav.users', 'nav-admin-users'],
  ['/admin/import', 'nav.import', 'nav-admin-import'],
];

/** Top bar (app name, current user, language, logout) and the navigation strip. */
export function Header({ user, path, onLogout }) {
  const isAdmin = user.roles.includes('admin');
  const item = ([href, key, testId]) => (
    <li key={href}>
      <Link href={href} current={path === href} data-testid={testId}>{t(key)}</Link>
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
          <div class="user-info">
            <span class="user-name" data-testid="current-user">{user.full_name}</span>
            <span class="user-unit">{user.unit_name}</span>
          </div>
          <LangToggle />
          <button type="button" class="btn btn-ghost" data-testid="logout" onClick={onLogout}>
            {t('nav.logout')}
          </button>
        </div>
      </div>
      <nav class="nav" aria-label={t('nav.main')}>
        <ul>
          {item(['/', 'nav.home', 'nav-home'])}
          {isAdmin && <li class="nav-label" aria-hidden="true">{t('nav.admin')}</li>}
          {isAdmin && ADMIN_LINKS.map(item)}
        </ul>
      </nav>
    </header>
  );
}
