// PDF.js for the browser: loaded on first use (its own chunk), the worker bundled by
// Vite (no CDN), eval off (CVE-2024-4367 hardening on top of the fixed version),
// no scripting, no XFA. Character maps, standard fonts, wasm decoders and colour
// profiles come from /assets/pdfjs-<version>/ (copied there by vite.config.js).

import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

/* global __PDFJS_DATA__ */
const DATA = typeof __PDFJS_DATA__ === 'string' ? __PDFJS_DATA__ : '/assets/pdfjs/';

let loading = null;

/** The pdfjs-dist module, imported once. */
export function loadPdfjs() {
  if (!loading) {
    loading = import('pdfjs-dist').then((pdfjs) => {
      pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
      return pdfjs;
    });
  }
  return loading;
}

const absolute = (path) => new URL(path, location.href).href;

/**
 * Open a PDF by URL (same origin: the session cookie goes along; Range requests
 * fetch only the pages shown).
 * @param {string} url
 * @returns {{promise: Promise<any>, destroy: () => void}} promise: the PDFDocumentProxy
 */
export function openPdf(url) {
  let task = null;
  let destroyed = false;
  const promise = loadPdfjs().then((pdfjs) => {
    if (destroyed) throw new Error('destroyed');
    task = pdfjs.getDocument({
      url: absolute(url),
      isEvalSupported: false, // never compile font programs with eval/Function
      enableXfa: false,
      // no enableScripting here: pdfjs-dist's core runs no document JavaScript
      cMapUrl: absolute(`${DATA}cmaps/`),
      cMapPacked: true,
      standardFontDataUrl: absolute(`${DATA}standard_fonts/`),
      wasmUrl: absolute(`${DATA}wasm/`),
      iccUrl: absolute(`${DATA}iccs/`),
      withCredentials: false, // same origin: cookies are sent anyway
    });
    return task.promise;
  });
  return {
    promise,
    destroy() {
      destroyed = true;
      task?.destroy();
    },
  };
}

/**
 * Draw one page into a canvas at `scale` (CSS px per PDF point × 72/96), sharp on HiDPI.
 * @returns {{promise: Promise<void>, cancel: () => void, width: number, height: number}} CSS size
 */
export function drawPage(page, canvas, scale) {
  const viewport = page.getViewport({ scale: scale * (96 / 72) });
  const ratio = Math.min(globalThis.devicePixelRatio || 1, 3);
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  const task = page.render({
    canvas,
    canvasContext: canvas.getContext('2d'),
    viewport,
    transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
  });
  return {
    promise: task.promise,
    cancel: () => task.cancel(),
    width: Math.floor(viewport.width),
    height: Math.floor(viewport.height),
  };
}

/** Every page's text (for the viewer's own search), in page order. */
export async function pageTexts(doc) {
  const texts = [];
  for (let n = 1; n <= doc.numPages; n += 1) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    texts.push(content.items.map((item) => (item.str || '') + (item.hasEOL ? '\n' : '')).join(' '));
  }
  return texts;
}
