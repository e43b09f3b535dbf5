// Starts the reel web viewer in this document and reports how far it got. Shared by the
// served page (index.html) and notebook snippets (notebook.html); plain script, no module,
// so it also runs from an exported notebook opened over file:// with no network.
"use strict";

/** Decodes base64 to bytes. */
function reelBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Inflates gzip bytes with the browser's own decompressor. */
async function reelGunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Runs the wasm-bindgen glue (it defines the global `wasm_bindgen`). Inline glue runs
 * from a blob: URL, because the glue resolves its own script URL on start. */
function reelLoadGlue(glue) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    const src = glue.url ||
      URL.createObjectURL(new Blob([reelBase64(glue.inline)], { type: "text/javascript" }));
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error("could not load " + (glue.url || "the inline viewer")));
    document.head.appendChild(script);
  });
}

/**
 * Boots the viewer.
 * options: { glue: {url} | {inline: base64}, wasm: {url} | {gzip: base64},
 *            data: [base64 recording, ...], urls: [...], ws: [...], renderer,
 *            timeoutMs, fix: {stage: "what to do"} }
 * Progress is visible to the page and to tests as `document.body.dataset.reel`:
 * "loading", then "ready" (first frame drawn), or "failed" / "timeout" with the message
 * shown in #status.
 */
async function reelBoot(options) {
  const status = document.getElementById("status");
  const canvas = document.getElementById("reel");
  const body = document.body;
  let stage = "loading the viewer";
  const show = (text) => {
    status.textContent = text;
    status.style.display = "block";
  };
  const fail = (state, text) => {
    if (body.dataset.reel === "ready") return;
    body.dataset.reel = state;
    show(text);
  };
  const hint = () => (options.fix && options.fix[stage]) || "";
  body.dataset.reel = "loading";
  const timer = setTimeout(() => {
    fail("timeout",
      "reel: the viewer did not start within " + options.timeoutMs + " ms (stuck " + stage +
      "). " + hint());
  }, options.timeoutMs);
  try {
    await reelLoadGlue(options.glue);
    stage = "compiling the viewer";
    const wasm = options.wasm.url
      ? options.wasm.url
      : await reelGunzip(reelBase64(options.wasm.gzip));
    await wasm_bindgen({ module_or_path: wasm });
    stage = "starting the renderer";
    const handle = new wasm_bindgen.WebHandle();
    window.reelHandle = handle;
    await handle.start(canvas, options.renderer || null);
    (options.data || []).forEach((b64, i) => handle.add_bytes("recording " + (i + 1), reelBase64(b64)));
    (options.urls || []).forEach((url) => handle.open_url(url));
    (options.ws || []).forEach((url) => handle.connect(url));
    stage = "drawing the first frame";
    while (handle.frames() === 0) {
      const panic = handle.panic_message();
      if (panic) throw new Error(panic);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A viewer that starts after the timeout message still takes over from it.
    clearTimeout(timer);
    status.style.display = "none";
    body.dataset.reel = "ready";
  } catch (e) {
    clearTimeout(timer);
    fail("failed", "reel: " + stage + " failed: " + (e && e.message ? e.message : e) + ". " + hint());
  }
}
