import { useEffect, useRef, useState } from 'preact/hooks';
import { PDF_TO_CSS, fitWidthScale } from '../documents.js';
import { t } from '../i18n.js';
import { drawPage, openPdf } from '../pdf.js';

/**
 * Open a PDF by URL while mounted. @returns {{doc: any, error: any}}
 * The document is destroyed (worker and requests stopped) on unmount or URL change.
 */
export function usePdf(url) {
  const [state, setState] = useState({ doc: null, error: null });
  useEffect(() => {
    if (!url) {
      setState({ doc: null, error: null });
      return undefined;
    }
    setState({ doc: null, error: null });
    const opened = openPdf(url);
    let current = true;
    opened.promise.then(
      (doc) => current && setState({ doc, error: null }),
      (error) => current && setState({ doc: null, error }),
    );
    return () => {
      current = false;
      opened.destroy();
    };
  }, [url]);
  return state;
}

/** The width of an element, kept current (ResizeObserver). */
export function useWidth(ref) {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return width;
}

/**
 * One page of an open PDF on a canvas: at `scale`, or fitted to the container's width.
 * A pointer ({x, y} fractions of the page) is drawn over it; `onPoint` (presenters)
 * receives where the page was clicked, as fractions.
 */
export function PdfPage({ doc, page, scale = 1, fitWidth = false, fitHeight = 0, pointer = null, onPoint, onScale, testId = 'pdf-page', label }) {
  const box = useRef(null);
  const canvas = useRef(null);
  const width = useWidth(box);
  const [size, setSize] = useState(null);
  const [rendered, setRendered] = useState(0);
  const [error, setError] = useState(null);

  useEffect(() => {
    if (!doc || !page || page > doc.numPages) return undefined;
    let task = null;
    let current = true;
    setError(null);
    doc.getPage(page).then((p) => {
      if (!current) return;
      const base = p.getViewport({ scale: 1 });
      // fitted: the page's width fills the box; with fitHeight (px) the whole page stays in view too
      let used = fitWidth ? fitWidthScale(base.width, width || 800) : scale;
      if (fitWidth && fitHeight > 0) used = Math.min(used, fitHeight / (base.height * PDF_TO_CSS));
      if (fitWidth) onScale?.(used);
      task = drawPage(p, canvas.current, used);
      setSize({ width: task.width, height: task.height });
      task.promise.then(
        () => current && setRendered(page),
        (err) => current && err?.name !== 'RenderingCancelledException' && setError(err),
      );
    }, (err) => current && setError(err));
    return () => {
      current = false;
      task?.cancel();
    };
  }, [doc, page, scale, fitWidth, fitHeight, fitWidth ? width : 0]);

  const click = (event) => {
    if (!onPoint) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const x = (event.clientX - rect.left) / rect.width;
    const y = (event.clientY - rect.top) / rect.height;
    if (x >= 0 && x <= 1 && y >= 0 && y <= 1) onPoint(x, y);
  };

  return (
    <div class={`pdf-stage${fitWidth ? ' is-fit' : ''}`} ref={box} data-testid={testId} data-page={page}
      data-rendered={rendered === page ? 'true' : 'false'}>
      {error && <p class="alert alert-error" role="alert">{t('viewer.renderError')}</p>}
      <div class={`pdf-sheet${onPoint ? ' is-pointable' : ''}`} style={size ? { width: `${size.width}px`, height: `${size.height}px` } : undefined}
        onClick={click} role="img" aria-label={label || t('viewer.pageOf', { page, pages: doc?.numPages ?? '…' })}>
        <canvas ref={canvas} />
        {pointer && (
          <span class="pdf-pointer" data-testid="pdf-pointer" aria-hidden="true"
            style={{ left: `${pointer.x * 100}%`, top: `${pointer.y * 100}%` }} />
        )}
      </div>
    </div>
  );
}

/** The window's height, kept current (a presented page fits in the screen). */
export function useViewportHeight() {
  const [height, setHeight] = useState(globalThis.innerHeight || 800);
  useEffect(() => {
    const onResize = () => setHeight(globalThis.innerHeight);
    addEventListener('resize', onResize);
    return () => removeEventListener('resize', onResize);
  }, []);
  return height;
}

/** A small image of a page, drawn once it scrolls into view. */
export function PdfThumb({ doc, page, current, onSelect }) {
  const canvas = useRef(null);
  const button = useRef(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const el = button.current;
    if (!el || typeof IntersectionObserver === 'undefined') {
      setVisible(true);
      return undefined;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setVisible(true);
        observer.disconnect();
      }
    }, { rootMargin: '200px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    if (!visible || !doc) return undefined;
    let task = null;
    let live = true;
    doc.getPage(page).then((p) => {
      if (!live) return;
      const base = p.getViewport({ scale: 1 });
      task = drawPage(p, canvas.current, 110 / (base.width * (96 / 72)));
      task.promise.catch(() => {});
    });
    return () => {
      live = false;
      task?.cancel();
    };
  }, [visible, doc, page]);
  useEffect(() => {
    if (current) button.current?.scrollIntoView?.({ block: 'nearest' });
  }, [current]);
  return (
    <button type="button" ref={button} class={`thumb${current ? ' is-current' : ''}`} onClick={() => onSelect(page)}
      aria-current={current ? 'page' : undefined} data-testid="viewer-thumb" data-page={page}
      aria-label={t('viewer.goToPage', { page })}>
      <canvas ref={canvas} />
      <span class="thumb-number">{page}</span>
    </button>
  );
}
