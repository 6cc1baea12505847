/*
 * Leadbot: the chat widget that talks to the Rasa socket.io channel.
 * Owns the launcher/panel UI, the session and history kept in localStorage,
 * the offline outbox and the page-context metadata sent with every message.
 *
 * Embed with one config object and one script tag:
 *   <script>window.LeadbotConfig = {serverUrl: "http://localhost:5005"};</script>
 *   <script src="https://example.com/widget/leadbot.js" defer></script>
 */
(function () {
  "use strict";

  if (window.Leadbot) return; // embedded twice: keep the first one

  const WIDGET_VERSION = "leadbot-web/1";
  // This file stays pure ASCII (non-ASCII as \u escapes): a host page without a
  // charset would otherwise decode it as windows-1252 and garble the UI strings.

  // document.currentScript is null once the script has run (and inside
  // callbacks), so the base URL is captured here, synchronously.
  const thisScript =
    document.currentScript ||
    Array.from(document.getElementsByTagName("script")).find((s) => /leadbot\.js(\?|$)/.test(s.src));
  const BASE_URL = new URL(".", thisScript ? thisScript.src : location.href).href;

  const DEFAULTS = {
    serverUrl: "http://localhost:5005",
    socketPath: "/socket.io/",
    title: "Chat",
    color: "#4f46e5",
    language: null, // null: read <html lang>
    initialMessage: null,
    storagePrefix: "leadbot",
    visitTimeoutMinutes: 30,
    rememberVisitor: true, // false: no visitor id (set it from your consent banner)
    beaconUrl: null, // e.g. "https://leads.example.com/beacon": counts "opened" / "first message" (no data)
  };

  const STRINGS = {
    en: {
      open: "Open chat",
      close: "Close chat",
      unread: (n) => (n === 1 ? "1 unread message" : `${n} unread messages`),
      placeholder: "Type your message\u2026",
      inputLabel: "Your message",
      send: "Send",
      typing: "typing\u2026",
      log: "Conversation",
      you: "You",
      reconnecting: "Reconnecting\u2026 your messages will be sent when we are back.",
      suggestions: "Suggested answers",
    },
    es: {
      open: "Abrir chat",
      close: "Cerrar chat",
      unread: (n) => (n === 1 ? "1 mensaje sin leer" : `${n} mensajes sin leer`),
      placeholder: "Escribe tu mensaje\u2026",
      inputLabel: "Tu mensaje",
      send: "Enviar",
      typing: "escribiendo\u2026",
      log: "Conversaci\u00f3n",
      you: "T\u00fa",
      reconnecting: "Reconectando\u2026 tus mensajes se enviar\u00e1n en cuanto volvamos.",
      suggestions: "Respuestas sugeridas",
    },
  };

  const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  const MAX_HISTORY = 300;
  const MAX_PAGES = 50;
  const TYPING_TIMEOUT_MS = 20000;

  const config = Object.assign({}, DEFAULTS, window.LeadbotConfig || {});
  const language = _pickLanguage(config.language || document.documentElement.lang);
  const t = STRINGS[language];

  function _pickLanguage(tag) {
    const code = String(tag || "").slice(0, 2).toLowerCase();
    return STRINGS[code] ? code : "en";
  }

  // ---------------------------------------------------------------- storage
  // localStorage can throw (Safari private mode, blocked cookies): the widget
  // then still works, it just forgets everything on reload.
  const store = {
    key: (name) => `${config.storagePrefix}:${name}`,
    get(name, fallback) {
      try {
        const raw = localStorage.getItem(this.key(name));
        return raw === null ? fallback : JSON.parse(raw);
      } catch (_) {
        return fallback;
      }
    },
    set(name, value) {
      try {
        localStorage.setItem(this.key(name), JSON.stringify(value));
      } catch (_) {
        /* storage full or disabled: keep going in memory */
      }
    },
    remove(name) {
      try {
        localStorage.removeItem(this.key(name));
      } catch (_) {
        /* ignore */
      }
    },
  };

  // ------------------------------------------------------------ visit/context
  // A "visit" is the analytics notion: it ends after visitTimeoutMinutes of
  // inactivity. Referrer and UTM tags come from its landing page only.
  let visitIsNew = false;
  const visit = _loadVisit();
  let visitor = _loadVisitor(visitIsNew);

  function _loadVisit() {
    const now = Date.now();
    let v = store.get("visit", null);
    if (!v || now - v.lastSeen > config.visitTimeoutMinutes * 60000) {
      const params = new URLSearchParams(location.search);
      const utm = {};
      for (const key of UTM_KEYS) utm[key] = params.get(key);
      v = { referrer: document.referrer || null, utm, pages: [], startedAt: now, lastSeen: now };
      visitIsNew = true;
    }
    // A visit stored by an older widget: it began with its first page still listed.
    if (!v.startedAt) v.startedAt = v.pages.length ? v.pages[0].enteredAt : now;
    const nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    const last = v.pages[v.pages.length - 1];
    const isReload = nav && nav.type === "reload" && last && last.path === location.pathname;
    if (!isReload) {
      v.pages.push({ path: location.pathname, title: document.title, enteredAt: now });
      if (v.pages.length > MAX_PAGES) v.pages = v.pages.slice(-MAX_PAGES);
    }
    v.lastSeen = now;
    store.set("visit", v);
    return v;
  }

  // ---------------------------------------------------------------- visitor
  // A random id kept across visits (its own key: reset() and new visits keep it),
  // so the server can tell a returning visitor, with the number of visits counted.
  // Never kept when the page says no (rememberVisitor: false, or
  // Leadbot.rememberVisitor(false) from a consent banner) or the browser sends
  // Do Not Track / Global Privacy Control: any id stored before is then deleted.
  function _mayRememberVisitor() {
    if (config.rememberVisitor === false) return false;
    const n = navigator;
    return !(n.doNotTrack === "1" || window.doNotTrack === "1" || n.globalPrivacyControl === true);
  }

  function _loadVisitor(newVisit) {
    if (!_mayRememberVisitor()) {
      store.remove("visitor");
      return null;
    }
    let v = store.get("visitor", null);
    if (!v || typeof v.id !== "string" || !(v.visits >= 1)) {
      v = { id: _randomId(), visits: 1 }; // this visit is the first one we count
    } else if (newVisit) {
      v.visits += 1;
    }
    store.set("visitor", v);
    // Storage blocked (private mode): an id we cannot keep would call every visit a first one.
    const kept = store.get("visitor", null);
    return kept && kept.id === v.id ? v : null;
  }

  function _randomId() {
    // randomUUID needs a secure context (https or localhost); getRandomValues does not.
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function rememberVisitor(allowed) {
    config.rememberVisitor = Boolean(allowed);
    visitor = _loadVisitor(false);
  }

  function _touchVisit() {
    visit.lastSeen = Date.now();
    store.set("visit", visit);
  }

  /** The page context sent with every user message (contract with actions/). */
  function buildMetadata() {
    _touchVisit();
    const now = Date.now();
    const pages = visit.pages.map((p, i) => {
      // A past page lasted until the next one was entered.
      const end = i + 1 < visit.pages.length ? visit.pages[i + 1].enteredAt : now;
      return { path: p.path, title: p.title, seconds: Math.round((end - p.enteredAt) / 100) / 10 };
    });
    return {
      language,
      page: {
        url: location.href,
        path: location.pathname,
        title: document.title,
        referrer: visit.referrer,
      },
      utm: Object.assign({}, visit.utm),
      pages,
      // Both on the browser's clock: the server trusts only their difference.
      visit: { started_at: new Date(visit.startedAt).toISOString(), sent_at: new Date(now).toISOString() },
      visitor: visitor ? { id: visitor.id, visits: visitor.visits, returning: visitor.visits > 1 } : null,
      widget: WIDGET_VERSION,
    };
  }

  // ----------------------------------------------------------- conversation
  const state = {
    sessionId: store.get("session", null),
    history: [], // [{from: "user"|"bot", text?, image?, quickReplies?: [{title, payload}]}]
    outbox: store.get("outbox", []), // [{message, metadata}] not yet emitted
    unread: store.get("unread", 0),
    ready: false, // connected AND session confirmed: safe to emit
    socket: null,
    open: false,
  };
  if (state.sessionId) state.history = store.get(`history:${state.sessionId}`, []);

  function _saveHistory() {
    if (state.history.length > MAX_HISTORY) state.history = state.history.slice(-MAX_HISTORY);
    if (state.sessionId) store.set(`history:${state.sessionId}`, state.history);
  }

  function _saveOutbox() {
    store.set("outbox", state.outbox);
  }

  function _setUnread(n) {
    state.unread = n;
    store.set("unread", n);
    ui.renderUnread();
  }

  /** Every pending quick reply goes away once the visitor answers anything. */
  function _consumeQuickReplies() {
    for (const m of state.history) if (m.quickReplies) delete m.quickReplies;
    ui.clearQuickReplies();
  }

  /**
   * Tell the funnel that the widget was opened, or that the visitor wrote for the first time.
   * The body is one word and nothing else: no session id, no text, no page. Once per browser
   * tab for "opened" (`onceKey` in sessionStorage), once per conversation for "first message"
   * (the caller looks at the conversation's history).
   */
  function _beacon(event, onceKey) {
    if (!config.beaconUrl) return;
    if (onceKey) {
      try {
        if (sessionStorage.getItem(store.key(onceKey))) return;
        sessionStorage.setItem(store.key(onceKey), "1");
      } catch (_) {
        return; // storage blocked: counting every page view would overcount, so count none
      }
    }
    try {
      if (navigator.sendBeacon) navigator.sendBeacon(config.beaconUrl, event);
      else fetch(config.beaconUrl, { method: "POST", body: event, mode: "no-cors", keepalive: true });
    } catch (_) {
      /* the funnel is not worth an error in the visitor's console */
    }
  }

  function send(text, payload) {
    const shown = String(text || "").trim();
    if (!shown) return;
    if (!state.history.some((m) => m.from === "user")) {
      _beacon("first_message", null);
    }
    _consumeQuickReplies();
    const entry = { from: "user", text: shown };
    state.history.push(entry);
    _saveHistory();
    ui.appendMessage(entry);
    state.outbox.push({ message: payload !== undefined ? payload : shown, metadata: buildMetadata() });
    _saveOutbox();
    _connect();
    _flushOutbox();
  }

  function _emit(message, metadata) {
    state.socket.emit("user_uttered", { message, session_id: state.sessionId, metadata });
    ui.showTyping(true);
  }

  function _flushOutbox() {
    // Only after session_confirm: the server joins the socket to the session's
    // room there, and replies to messages sent earlier would go nowhere.
    while (state.ready && state.socket && state.socket.connected && state.outbox.length) {
      const item = state.outbox.shift();
      _saveOutbox();
      _emit(item.message, item.metadata);
    }
  }

  function _receive(data) {
    if (!data || typeof data !== "object") return;
    const entry = { from: "bot" };
    if (typeof data.text === "string") entry.text = data.text;
    const buttons = data.quick_replies || data.buttons;
    if (Array.isArray(buttons) && buttons.length) {
      entry.quickReplies = buttons
        .filter((b) => b && b.title)
        .map((b) => ({ title: String(b.title), payload: b.payload != null ? String(b.payload) : null, url: b.url || null }));
    }
    const att = data.attachment;
    if (att && att.type === "image" && att.payload && att.payload.src) entry.image = String(att.payload.src);
    if (att && att.type === "template" && att.payload && att.payload.elements) {
      const el = [].concat(att.payload.elements)[0] || {};
      entry.text = [el.title, el.subtitle].filter(Boolean).join("\n");
    }
    if (!entry.text && !entry.image && !entry.quickReplies) return; // nothing we can show
    ui.showTyping(false);
    // Buttons belong to the newest bot message only.
    if (entry.quickReplies) for (const m of state.history) delete m.quickReplies;
    state.history.push(entry);
    _saveHistory();
    ui.appendMessage(entry);
    if (!state.open) _setUnread(state.unread + 1);
  }

  function _connect() {
    if (state.socket) return;
    ui.whenSocketIoLoaded((io) => {
      if (state.socket) return;
      // The proxy routes every request of this connection by this key (deploy/nginx.conf.template),
      // so it is fixed for the connection's life: a new visitor's is its address until the next load.
      const query = state.sessionId ? { leadbot_sender: state.sessionId } : {};
      const socket = io(config.serverUrl, { path: config.socketPath, query });
      state.socket = socket;
      socket.on("connect", () => {
        // Re-sent on every reconnect: a restarted server has forgotten the room.
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", (confirmed) => {
        const id = typeof confirmed === "object" && confirmed ? confirmed.session_id : confirmed;
        const isNew = !state.sessionId;
        if (id && id !== state.sessionId) {
          state.sessionId = String(id);
          store.set("session", state.sessionId);
          _saveHistory();
        }
        state.ready = true;
        ui.renderConnection(true);
        if (isNew && config.initialMessage) {
          // Hidden greeting trigger: sent before anything the visitor queued.
          state.outbox.unshift({ message: config.initialMessage, metadata: buildMetadata() });
        }
        _flushOutbox();
      });
      socket.on("connect_error", () => ui.renderConnection(false));
      socket.on("bot_uttered", _receive);
      socket.on("disconnect", () => {
        state.ready = false;
        ui.showTyping(false);
        ui.renderConnection(false);
      });
    });
  }

  /** Forget the conversation (a "start over"); the visit context stays. */
  function reset() {
    if (state.sessionId) store.remove(`history:${state.sessionId}`);
    store.remove("session");
    state.sessionId = null;
    state.history = [];
    state.outbox = [];
    _saveOutbox();
    _setUnread(0);
    ui.renderHistory();
    if (state.socket) {
      state.socket.disconnect();
      state.socket = null;
      state.ready = false;
    }
    if (state.open) _connect();
  }

  // --------------------------------------------------------------------- UI
  const ui = (function () {
    let root, launcher, badge, panel, log, typing, status, form, input, quickBox;
    const els = {};

    function h(tag, attrs, children) {
      const el = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "className") el.className = v;
        else if (k === "text") el.textContent = v;
        else el.setAttribute(k, v === true ? "" : v);
      }
      for (const c of children || []) el.appendChild(c);
      return el;
    }

    // [label](https://...) and bare http(s) URLs become links; everything else
    // stays text. Nothing from the bot or the visitor is ever parsed as HTML.
    const LINK_RE = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/g;

    function richText(text) {
      const frag = document.createDocumentFragment();
      let last = 0;
      let m;
      LINK_RE.lastIndex = 0;
      while ((m = LINK_RE.exec(text)) !== null) {
        let url = m[2] || m[3];
        let label = m[1] || url;
        let end = LINK_RE.lastIndex;
        if (m[3]) {
          // Sentence punctuation after a bare URL is not part of it.
          const trail = url.match(/[.,;:!?)\]]+$/);
          if (trail) {
            url = url.slice(0, -trail[0].length);
            label = url;
            end -= trail[0].length;
            LINK_RE.lastIndex = end;
          }
        }
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        const a = h("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
        a.textContent = label;
        frag.appendChild(a);
        last = end;
      }
      frag.appendChild(document.createTextNode(text.slice(last)));
      return frag;
    }

    function build() {
      const host = h("div", { id: "leadbot", "data-leadbot": WIDGET_VERSION });
      host.style.setProperty("--lb-color", config.color);
      // Shadow DOM keeps the host site's CSS out of the widget and ours out of the site.
      root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
      // Hidden until our CSS is in, so the visitor never sees an unstyled button.
      host.style.visibility = "hidden";
      const css = h("link", { rel: "stylesheet", href: BASE_URL + "leadbot.css" });
      css.onload = css.onerror = () => (host.style.visibility = "");
      root.appendChild(css);

      badge = h("span", { className: "lb-badge", "aria-hidden": "true", hidden: true });
      launcher = h(
        "button",
        { type: "button", className: "lb-launcher", "aria-controls": "lb-panel", "aria-expanded": "false", "aria-label": t.open },
        [_chatIcon(), badge]
      );

      const titleId = "lb-title";
      const closeBtn = h("button", { type: "button", className: "lb-close", "aria-label": t.close, title: t.close }, [
        h("span", { "aria-hidden": "true", text: "\u00d7" }),
      ]);
      log = h("div", {
        className: "lb-log",
        role: "log",
        "aria-live": "polite",
        "aria-relevant": "additions",
        "aria-label": t.log,
        tabindex: "0",
      });
      quickBox = h("div", { className: "lb-quick", role: "group", "aria-label": t.suggestions, hidden: true });
      typing = h("div", { className: "lb-typing", role: "status", hidden: true }, [
        h("span", { className: "lb-dots", "aria-hidden": "true" }, [h("i"), h("i"), h("i")]),
        h("span", { className: "lb-typing-text", text: `${config.title} ${t.typing}` }),
      ]);
      status = h("div", { className: "lb-status", role: "status", hidden: true, text: t.reconnecting });
      input = h("input", {
        id: "lb-input",
        className: "lb-input",
        type: "text",
        autocomplete: "off",
        maxlength: "1000",
        placeholder: t.placeholder,
        "aria-label": t.inputLabel,
      });
      const sendBtn = h("button", { type: "submit", className: "lb-send", "aria-label": t.send }, [
        h("span", { text: t.send }),
      ]);
      form = h("form", { className: "lb-form" }, [
        h("label", { className: "lb-sr", for: "lb-input", text: t.inputLabel }),
        input,
        sendBtn,
      ]);
      panel = h("section", { id: "lb-panel", className: "lb-panel", role: "dialog", "aria-labelledby": titleId, hidden: true }, [
        h("header", { className: "lb-header" }, [h("h2", { id: titleId, className: "lb-title", text: config.title }), closeBtn]),
        log,
        typing,
        quickBox,
        status,
        form,
      ]);
      root.appendChild(panel);
      root.appendChild(launcher);
      document.body.appendChild(host);

      launcher.addEventListener("click", () => (state.open ? close() : open()));
      closeBtn.addEventListener("click", () => close());
      panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          close();
        }
      });
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const text = input.value;
        input.value = "";
        send(text);
        input.focus();
      });
      Object.assign(els, { host, closeBtn, sendBtn });
    }

    function _chatIcon() {
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 24 24");
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
      svg.appendChild(path);
      return svg;
    }

    function appendMessage(entry) {
      const who = entry.from === "user" ? t.you : config.title;
      const bubble = h("div", { className: "lb-bubble" });
      if (entry.text) bubble.appendChild(richText(entry.text));
      if (entry.image) bubble.appendChild(h("img", { src: entry.image, alt: "", loading: "lazy" }));
      const row = h("div", { className: `lb-msg lb-msg--${entry.from === "user" ? "user" : "bot"}` }, [
        h("span", { className: "lb-sr", text: `${who}: ` }),
        bubble,
      ]);
      log.appendChild(row);
      if (entry.quickReplies) renderQuickReplies(entry.quickReplies);
      log.scrollTop = log.scrollHeight;
    }

    function renderQuickReplies(replies) {
      quickBox.textContent = "";
      for (const qr of replies) {
        let btn;
        if (qr.url && /^https?:\/\//.test(qr.url)) {
          btn = h("a", { className: "lb-qr", href: qr.url, target: "_blank", rel: "noopener noreferrer" });
        } else {
          btn = h("button", { type: "button", className: "lb-qr" });
          btn.addEventListener("click", () => {
            send(qr.title, qr.payload != null ? qr.payload : qr.title);
            input.focus();
          });
        }
        btn.textContent = qr.title;
        quickBox.appendChild(btn);
      }
      quickBox.hidden = replies.length === 0;
    }

    function clearQuickReplies() {
      quickBox.textContent = "";
      quickBox.hidden = true;
    }

    function renderHistory() {
      log.textContent = "";
      clearQuickReplies();
      for (const entry of state.history) appendMessage(entry);
    }

    let typingTimer = null;
    function showTyping(on) {
      clearTimeout(typingTimer);
      typing.hidden = !on;
      // A bot that never answers must not leave the dots running forever.
      if (on) typingTimer = setTimeout(() => (typing.hidden = true), TYPING_TIMEOUT_MS);
      if (on) log.scrollTop = log.scrollHeight;
    }

    function renderConnection(connected) {
      status.hidden = connected;
    }

    function renderUnread() {
      badge.hidden = state.unread === 0;
      badge.textContent = state.unread > 9 ? "9+" : String(state.unread);
      launcher.setAttribute("aria-label", state.unread ? `${t.open} (${t.unread(state.unread)})` : t.open);
    }

    function setOpen(isOpen) {
      panel.hidden = !isOpen;
      els.host.classList.toggle("lb-is-open", isOpen);
      launcher.setAttribute("aria-expanded", String(isOpen));
      launcher.classList.toggle("lb-launcher--open", isOpen);
    }

    let socketIoCallbacks = null;
    function whenSocketIoLoaded(cb) {
      if (socketIoCallbacks === "loaded") return cb(whenSocketIoLoaded.io);
      if (socketIoCallbacks) return socketIoCallbacks.push(cb);
      socketIoCallbacks = [cb];
      // Load our own copy of the client without clobbering a host page's `io`.
      const previous = Object.prototype.hasOwnProperty.call(window, "io") ? window.io : undefined;
      const s = document.createElement("script");
      s.src = BASE_URL + "vendor/socket.io.min.js";
      s.async = true;
      s.onload = () => {
        whenSocketIoLoaded.io = window.io;
        if (previous === undefined) delete window.io;
        else window.io = previous;
        const waiting = socketIoCallbacks;
        socketIoCallbacks = "loaded";
        waiting.forEach((f) => f(whenSocketIoLoaded.io));
      };
      s.onerror = () => {
        socketIoCallbacks = null; // let a later open() retry
        renderConnection(false);
      };
      document.head.appendChild(s);
    }

    return {
      build,
      appendMessage,
      clearQuickReplies,
      renderHistory,
      showTyping,
      renderConnection,
      renderUnread,
      setOpen,
      whenSocketIoLoaded,
      focusInput: () => input.focus(),
      focusLauncher: () => launcher.focus(),
    };
  })();

  function open() {
    state.open = true;
    try {
      sessionStorage.setItem(store.key("open"), "1");
    } catch (_) {
      /* ignore */
    }
    ui.setOpen(true);
    _setUnread(0);
    _connect();
    ui.focusInput();
    _beacon("widget_opened", "beacon:opened");
  }

  function close() {
    state.open = false;
    try {
      sessionStorage.removeItem(store.key("open"));
    } catch (_) {
      /* ignore */
    }
    ui.setOpen(false);
    ui.focusLauncher();
  }

  function _start() {
    ui.build();
    // Any element of the host page marked data-leadbot-open opens the chat.
    document.addEventListener("click", (e) => {
      const trigger = e.target instanceof Element && e.target.closest("[data-leadbot-open]");
      if (trigger) {
        e.preventDefault();
        open();
      }
    });
    ui.renderHistory();
    ui.renderUnread();
    // A known visitor reconnects right away (to get replies and keep the room);
    // a new one only when they open the chat, so page views alone create no
    // conversations on the server.
    if (state.sessionId || state.outbox.length) _connect();
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(store.key("open")) === "1";
    } catch (_) {
      /* ignore */
    }
    if (wasOpen) {
      state.open = true;
      ui.setOpen(true);
      _setUnread(0);
    }
  }

  window.Leadbot = {
    open,
    close,
    send: (text) => send(text),
    reset,
    /** Allow or refuse the visitor id (e.g. from a consent banner); false deletes it. */
    rememberVisitor,
    /** The metadata the next message would carry (for tests and debugging). */
    debugMetadata: buildMetadata,
    get sessionId() {
      return state.sessionId;
    },
    get connected() {
      return state.ready;
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", _start);
  else _start();
})();
