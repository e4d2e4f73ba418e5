// Minimal path router on top of history.pushState. The server serves
// index.html for every non-/api path, so deep links just work.

import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

function notify() {
  listeners.forEach((fn) => fn(location.pathname));
}

/**
 * Go to an in-app path without reloading the page.
 * @param {string} path
 * @param {{replace?: boolean}} [options] replace the current history entry instead of adding one
 */
export function navigate(path, { replace = false } = {}) {
  if (path !== location.pathname + location.search) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
    if (!replace) window.scrollTo(0, 0);
  }
  notify();
}

/** Hook: the current pathname, re-rendering on navigate() and back/forward. */
export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    listeners.add(setPath);
    window.addEventListener('popstate', onPop);
    return () => {
      listeners.delete(setPath);
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  return path;
}

/**
 * Click handler for <a href> links: plain left clicks navigate in-app;
 * modified clicks (new tab, etc.) keep the browser's behaviour.
 */
export function handleLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href'));
}
