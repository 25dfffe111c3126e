// SPDX-License-Identifier: MIT
// The PDF view in the page: pdf.js from the server's own /vendor/pdfjs/ (Debian's
// libjs-pdf, [http] pdfjs_dir), loaded on first use, renders one page at a time to a
// canvas as wide as the panel. Nothing is fetched from anywhere else.
const PDFJS = '/vendor/pdfjs';
let loading = null;

// Loads pdf.js once; resolves to window.pdfjsLib, or null when the server has no pdf.js.
function loadPdfjs() {
  if (!loading) {
    loading = new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = `${PDFJS}/build/pdf.js`;
      script.onload = () => {
        const lib = window.pdfjsLib ?? null;
        if (lib) lib.GlobalWorkerOptions.workerSrc = `${PDFJS}/build/pdf.worker.js`;
        resolve(lib);
      };
      script.onerror = () => resolve(null);
      document.head.append(script);
    });
  }
  return loading;
}

export class PdfUnavailable extends Error {}

// One open document shown on `canvas`; page numbers from 1.
export class PdfView {
  constructor(canvas) {
    this.canvas = canvas;
    this.doc = null;
    this.page = 0;
    this.rendering = null;
  }

  get pages() {
    return this.doc ? this.doc.numPages : 0;
  }

  // Opens the PDF in `bytes` (an ArrayBuffer) and shows its first page. Throws
  // PdfUnavailable when the server has no pdf.js, or pdf.js's error.
  async open(bytes) {
    const lib = await loadPdfjs();
    if (!lib) throw new PdfUnavailable('pdf.js is not served');
    await this.close();
    this.doc = await lib.getDocument({
      data: new Uint8Array(bytes),
      // No eval: the page's Content-Security-Policy forbids it.
      isEvalSupported: false,
      standardFontDataUrl: `${PDFJS}/web/standard_fonts/`,
      cMapUrl: `${PDFJS}/web/cmaps/`,
      cMapPacked: true,
    }).promise;
    await this.show(1);
  }

  // Renders page `number` as wide as the canvas's box (sharp on high-density screens).
  async show(number) {
    if (!this.doc || number < 1 || number > this.doc.numPages) return;
    this.page = number;
    if (this.rendering) {
      this.rendering.cancel();
      await this.rendering.promise.catch(() => {});
    }
    const page = await this.doc.getPage(number);
    const cssWidth = this.canvas.clientWidth || this.canvas.parentElement.clientWidth || 600;
    const unscaled = page.getViewport({ scale: 1 });
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: (cssWidth / unscaled.width) * ratio });
    this.canvas.width = Math.floor(viewport.width);
    this.canvas.height = Math.floor(viewport.height);
    const context = this.canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.rendering = page.render({ canvasContext: context, viewport });
    try {
      await this.rendering.promise;
    } finally {
      this.rendering = null;
    }
  }

  async close() {
    if (this.rendering) {
      this.rendering.cancel();
      await this.rendering.promise.catch(() => {});
    }
    await this.doc?.destroy();
    this.doc = null;
    this.page = 0;
  }
}
