import { handleLinkClick } from '../router.js';

/** In-app link: a real <a href> that navigates without a page reload. */
export function Link({ href, current = false, children, ...rest }) {
  return (
    <a href={href} onClick={handleLinkClick} aria-current={current ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}
