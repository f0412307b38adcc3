import { createRootRoute, Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, type Language, setLanguage } from './i18n/index.ts';
import { useSession } from './session.tsx';
import type { Permission } from './types.ts';

/** The menu: each entry only for a key that may use it (the API decides; the console follows). */
const NAV: readonly { readonly to: string; readonly label: string; readonly needs: Permission }[] = [
  { to: '/', label: 'nav.dashboard', needs: 'decisions:read' },
  { to: '/cases', label: 'nav.cases', needs: 'cases:read' },
  { to: '/quarantine', label: 'quarantine:nav', needs: 'cases:read' },
  { to: '/decisions', label: 'nav.decisions', needs: 'decisions:read' },
  { to: '/screen', label: 'nav.screen', needs: 'screen' },
  { to: '/indicators', label: 'nav.indicators', needs: 'indicators:read' },
  { to: '/policies', label: 'nav.policies', needs: 'policies:read' },
  { to: '/admin', label: 'nav.admin', needs: 'keys:admin' },
];

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t('language.label')}</span>
      <select
        value={i18n.language}
        onChange={(event) => void setLanguage(event.target.value as Language)}
        aria-label={t('language.label')}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language}>
            {t(`language.${language}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * After a move to another page (not on the first load, nor when only the search
 * params change), focus goes to the new page's heading, or to main: a keyboard
 * or screen-reader user starts at the top of the new content, not on the link
 * that was pressed.
 */
function useFocusOnNavigation(): void {
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const frame = requestAnimationFrame(() => {
      const main = document.getElementById('main');
      if (!main || main.contains(document.activeElement)) return;
      const heading = main.querySelector<HTMLElement>('h1');
      const target = heading ?? main;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [pathname]);
}

function Layout() {
  const { t } = useTranslation();
  const { me, can, signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const navigate = useNavigate();
  const toggleRef = useRef<HTMLButtonElement>(null);
  // Escape folds the open menu (phone width) and gives focus back to its button.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      toggleRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);
  // The next key starts on the home page, not on a page of the previous key it may not see.
  const leave = () => {
    signOut();
    void navigate({ to: '/', replace: true });
  };
  useFocusOnNavigation();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <button
          ref={toggleRef}
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {t('nav.menu')}
        </button>
        <Link to="/" className="brand">
          {t('app.name')} <span lang="ja">守る</span>
        </Link>
        <div className="who">
          <span>{t('session.signedInAs', { org: me.organisation.name, role: t(`role.${me.role}`) })}</span>
          {me.origin ? <span className="origin">{t('session.origin', { origin: me.origin })}</span> : null}
        </div>
        <LanguageSwitch />
        <button type="button" className="button button-quiet" onClick={leave}>
          {t('session.signOut')}
        </button>
      </header>
      <nav id="main-nav" className={menuOpen ? 'sidenav open' : 'sidenav'} aria-label={t('nav.label')}>
        <ul>
          {NAV.filter((item) => can(item.needs)).map((item) => (
            <li key={item.to}>
              <Link
                to={item.to}
                activeOptions={{ exact: item.to === '/' }}
                activeProps={{ 'aria-current': 'page', className: 'active' }}
                onClick={() => setMenuOpen(false)}
              >
                {t(item.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="page">
      <h1>{t('error.pageNotFound')}</h1>
      <Link to="/">{t('nav.dashboard')}</Link>
    </section>
  );
}

export const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFound });
