/* frontdesk live chat widget. Embed with one tag:
 *   <script src="https://desk.example/chat/ID/widget.js" async></script>
 * Remote text is only ever set with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.WebSocket || !window.fetch) return;
  var src = new URL(script.src, location.href);
  var match = src.pathname.match(/^(.*\/chat\/(\d+)\/)widget\.js$/);
  if (!match) return;
  var base = src.origin + match[1];
  var channel = match[2];
  var storageKey = "frontdesk-chat:" + src.origin + ":" + channel;
  var ids = "fd-chat";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "style") node.style.cssText = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function readToken() {
    try { return localStorage.getItem(storageKey); } catch (e) { return null; }
  }
  function keepToken(token) {
    try { localStorage.setItem(storageKey, token); } catch (e) { /* private mode */ }
  }

  /* Black or white, whichever reads better on the accent colour. */
  function inkFor(hex) {
    var h = hex.replace("#", "");
    if (h.length === 3) h = h.replace(/./g, "$&$&");
    var rgb = [0, 2, 4].map(function (i) {
      var c = parseInt(h.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return lum > 0.4 ? "#111" : "#fff";
  }

  /* A speech bubble drawn in the ink colour (no icon font or emoji needed). */
  function bubbleIcon(ink) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", ink);
    svg.appendChild(path);
    return svg;
  }

  fetch(base + "config", { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (config) { if (config) start(config); })
    .catch(function () { /* no widget when the desk cannot be reached */ });

  function start(config) {
    var color = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(config.color) ? config.color : "#2563eb";
    var ink = inkFor(color);
    var side = config.position === "left" ? "left" : "right";
    var font = "font: 15px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;";

    var root = el("div", {
      id: ids,
      style: "position: fixed; bottom: 20px; " + side + ": 20px; z-index: 2147483000; " + font,
    });
    var launcher = el("button", {
      id: ids + "-launcher",
      type: "button",
      "aria-expanded": "false",
      "aria-controls": ids + "-panel",
      "aria-label": "Chat with " + config.name,
      style: "width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer; " +
        "box-shadow: 0 4px 14px rgba(0,0,0,.25); background: " + color + "; color: " + ink +
        "; position: relative; display: flex; align-items: center; justify-content: center;",
    });
    launcher.appendChild(bubbleIcon(ink));
    var badge = el("span", {
      id: ids + "-unread",
      hidden: "",
      "aria-label": "new reply",
      style: "position: absolute; top: 2px; " + side + ": 2px; width: 14px; height: 14px; " +
        "border-radius: 50%; background: #dc2626; border: 2px solid #fff;",
    });
    launcher.appendChild(badge);

    var panel = el("div", {
      id: ids + "-panel",
      role: "dialog",
      "aria-label": config.name,
      hidden: "",
      style: "position: absolute; bottom: 70px; " + side + ": 0; width: min(360px, 90vw); " +
        "height: min(520px, 75vh); background: #fff; color: #111; border-radius: 12px; " +
        "box-shadow: 0 8px 30px rgba(0,0,0,.3); flex-direction: column; overflow: hidden;",
    });
    var header = el("div", {
      style: "display: flex; align-items: center; gap: 10px; padding: 12px 14px; background: " +
        color + "; color: " + ink + ";",
    });
    if (typeof config.avatar_url === "string" && /^https?:\/\//.test(config.avatar_url)) {
      header.appendChild(el("img", {
        id: ids + "-avatar", src: config.avatar_url, alt: "",
        style: "width: 36px; height: 36px; border-radius: 50%; object-fit: cover; background: #fff;",
      }));
    }
    header.appendChild(el("strong", { id: ids + "-title", style: "flex: 1;" }, config.name));
    var closeButton = el("button", {
      type: "button", "aria-label": "Close chat",
      style: "border: 0; background: transparent; color: inherit; font-size: 20px; cursor: pointer;",
    }, "\u00d7");
    header.appendChild(closeButton);
    panel.appendChild(header);

    var body = el("div", {
      style: "flex: 1; display: flex; flex-direction: column; min-height: 0;",
    });
    panel.appendChild(body);
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    var opened = false;
    var onOpen = null;
    function toggle(open) {
      opened = open;
      if (open) {
        panel.removeAttribute("hidden");
        panel.style.display = "flex";
        badge.setAttribute("hidden", "");
        if (onOpen) onOpen();
      } else {
        panel.setAttribute("hidden", "");
        panel.style.display = "none";
      }
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
    }
    launcher.addEventListener("click", function () { toggle(!opened); });
    closeButton.addEventListener("click", function () { toggle(false); });

    if (config.online) live(config, body, color, ink, function () { if (!opened) badge.removeAttribute("hidden"); },
      function (f) { onOpen = f; });
    else offline(config, body, color, ink);
  }

  function live(config, body, color, ink, notify, setOnOpen) {
    var log = el("div", {
      id: ids + "-log", role: "log", "aria-live": "polite",
      style: "flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px;",
    });
    body.appendChild(log);
    if (config.greeting) {
      var greeting = bubble("agent", config.name, config.greeting, null);
      greeting.classList.add("fd-chat-greeting");
      log.appendChild(greeting);
    }
    /* After the first message: an optional email, so agents can also answer by mail. */
    var identify = el("form", {
      id: ids + "-identify", hidden: "",
      style: "gap: 6px; padding: 6px 10px; border-top: 1px solid #e5e7eb; font-size: 13px; align-items: center;",
    });
    identify.appendChild(el("label", { "for": ids + "-identify-email" }, "Email for replies"));
    var identifyInput = el("input", {
      id: ids + "-identify-email", type: "email", autocomplete: "email", placeholder: "name@example.com",
      style: "flex: 1; min-width: 0; border: 1px solid #d1d5db; border-radius: 6px; padding: 4px 6px; font: inherit;",
    });
    identify.appendChild(identifyInput);
    identify.appendChild(el("button", {
      id: ids + "-identify-save", type: "submit",
      style: "border: 0; border-radius: 6px; padding: 4px 10px; cursor: pointer; background: " +
        color + "; color: " + ink + "; font: inherit;",
    }, "Save"));
    body.appendChild(identify);
    var status = el("div", {
      id: ids + "-status", role: "status",
      style: "padding: 0 12px; font-size: 12px; min-height: 1em;",
    });
    body.appendChild(status);
    function tell(text, ok) {
      status.style.color = ok ? "#166534" : "#b91c1c";
      status.textContent = text;
    }
    var emailKey = storageKey + ":email";
    function knownEmail() {
      try { return localStorage.getItem(emailKey); } catch (e) { return null; }
    }
    function showIdentify(visible) {
      if (visible && !knownEmail()) {
        identify.removeAttribute("hidden");
        identify.style.display = "flex";
      } else {
        identify.setAttribute("hidden", "");
        identify.style.display = "none";
      }
    }
    var form = el("form", {
      id: ids + "-form",
      style: "display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb;",
    });
    var label = el("label", {
      "for": ids + "-input",
      style: "position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);",
    }, "Your message");
    var input = el("textarea", {
      id: ids + "-input", rows: "2", maxlength: String(config.max_message_chars || 4000),
      placeholder: "Write a message\u2026",
      style: "flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 6px 8px; font: inherit;",
    });
    var send = el("button", {
      id: ids + "-send", type: "submit",
      style: "border: 0; border-radius: 8px; padding: 0 14px; cursor: pointer; background: " +
        color + "; color: " + ink + "; font: inherit;",
    }, "Send");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    body.appendChild(form);

    var seen = {};
    var socket = null;
    var ready = false;
    var retry = 1000;
    var wait = 0; /* seconds the server asked to wait before a new chat */

    function bubble(from, name, text, id, files) {
      var mine = from === "visitor";
      var node = el("div", {
        "class": "fd-chat-msg fd-chat-msg-" + from,
        style: "max-width: 80%; padding: 8px 10px; border-radius: 12px; white-space: pre-wrap; " +
          "overflow-wrap: anywhere; align-self: " + (mine ? "flex-end" : "flex-start") + "; " +
          (mine ? "background: " + color + "; color: " + ink + ";" : "background: #f3f4f6; color: #111;"),
      });
      if (id) node.setAttribute("data-id", id);
      node.appendChild(el("div", { "class": "fd-chat-name", style: "font-size: 11px; opacity: .75;" },
        mine ? "You" : name));
      node.appendChild(el("div", { "class": "fd-chat-text" }, text));
      (files || []).forEach(function (f) {
        var url = String(f.url || "");
        if (!/^https?:\/\//.test(url)) return;
        node.appendChild(el("a", { "class": "fd-chat-file", href: url, target: "_blank",
          rel: "noopener noreferrer", style: "display: block; color: inherit;" }, "📎 " + f.name));
      });
      return node;
    }

    function show(message, quiet) {
      if (seen[message.id]) return;
      seen[message.id] = true;
      log.appendChild(bubble(message.from, message.name, message.text, String(message.id), message.files));
      log.scrollTop = log.scrollHeight;
      if (message.from === "agent" && !quiet) notify();
      if (message.from === "visitor") showIdentify(true);
    }

    function connect() {
      var url = base.replace(/^http/, "ws") + "ws";
      socket = new WebSocket(url);
      socket.onopen = function () {
        socket.send(JSON.stringify({ type: "hello", token: readToken() }));
      };
      socket.onmessage = function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame.type === "welcome") {
          keepToken(frame.token);
          ready = true;
          retry = 1000;
          tell("", true);
          (frame.messages || []).forEach(function (m) { show(m, true); });
        } else if (frame.type === "message") {
          show(frame.message);
        } else if (frame.type === "identified") {
          try { localStorage.setItem(emailKey, frame.email); } catch (e) { /* private mode */ }
          showIdentify(false);
          tell("We'll also reply to " + frame.email + ".", true);
        } else if (frame.type === "error") {
          if (frame.code === "already_identified") showIdentify(false);
          wait = frame.retry_after || 0;
          tell(frame.message, false);
        }
      };
      socket.onclose = function (event) {
        ready = false;
        /* Too many new chats from this network: keep the server's message, come back later. */
        var limited = event.code === 4429;
        if (!limited) tell("Reconnecting\u2026", false);
        setTimeout(connect, limited ? Math.max(wait * 1000, retry) : retry);
        retry = Math.min(retry * 2, 15000);
      };
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      if (!ready) { tell("Not connected yet; try again in a moment.", false); return; }
      socket.send(JSON.stringify({ type: "message", text: text }));
      input.value = "";
      tell("", true);
    });
    identify.addEventListener("submit", function (event) {
      event.preventDefault();
      var email = identifyInput.value.trim();
      if (!email || !ready) return;
      socket.send(JSON.stringify({ type: "identify", email: email }));
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : send.click();
      }
    });

    /* A returning visitor reconnects at once, so replies reach them; a new one on first open. */
    if (readToken()) connect();
    else setOnOpen(function () { if (!socket) connect(); });
  }

  function offline(config, body, color, ink) {
    var wrap = el("div", { style: "flex: 1; overflow-y: auto; padding: 14px;" });
    body.appendChild(wrap);
    wrap.appendChild(el("p", { id: ids + "-offline-note", style: "margin: 0 0 12px;" }, config.offline_message));
    var form = el("form", { id: ids + "-offline", novalidate: "" });
    var fields = [
      ["email", "Email", "input", { type: "email", autocomplete: "email", required: "" }],
      ["name", "Name (optional)", "input", { type: "text", autocomplete: "name" }],
      ["message", "Message", "textarea", { rows: "4", required: "" }],
    ];
    var inputs = {};
    var errors = {};
    fields.forEach(function (f) {
      var id = ids + "-offline-" + f[0];
      form.appendChild(el("label", { "for": id, style: "display: block; font-size: 13px; margin-top: 8px;" }, f[1]));
      var attrs = { id: id, name: f[0], "aria-describedby": id + "-error",
        style: "width: 100%; box-sizing: border-box; border: 1px solid #d1d5db; border-radius: 8px; padding: 6px 8px; font: inherit;" };
      Object.keys(f[3]).forEach(function (k) { attrs[k] = f[3][k]; });
      inputs[f[0]] = el(f[2], attrs);
      form.appendChild(inputs[f[0]]);
      errors[f[0]] = el("div", { id: id + "-error", "class": "fd-chat-error", style: "color: #b91c1c; font-size: 12px;" });
      form.appendChild(errors[f[0]]);
    });
    var submit = el("button", {
      id: ids + "-offline-send", type: "submit",
      style: "margin-top: 12px; border: 0; border-radius: 8px; padding: 8px 14px; cursor: pointer; background: " +
        color + "; color: " + ink + "; font: inherit;",
    }, "Send");
    form.appendChild(submit);
    var status = el("div", { id: ids + "-offline-status", role: "status", style: "margin-top: 10px; color: #b91c1c;" });
    var done = el("p", { id: ids + "-offline-done", role: "status", hidden: "" });
    wrap.appendChild(form);
    wrap.appendChild(status);
    wrap.appendChild(done);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      Object.keys(errors).forEach(function (k) { errors[k].textContent = ""; });
      status.textContent = "";
      submit.disabled = true;
      fetch(base + "offline", {
        method: "POST",
        credentials: "omit",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          email: inputs.email.value, name: inputs.name.value || null, message: inputs.message.value,
        }),
      }).then(function (r) {
        return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
      }).then(function (result) {
        submit.disabled = false;
        if (result.ok) {
          form.setAttribute("hidden", "");
          done.textContent = "Thanks! We'll reply to " + inputs.email.value.trim() + ".";
          done.removeAttribute("hidden");
          return;
        }
        var error = (result.answer && result.answer.error) || {};
        var fieldErrors = error.fields || {};
        Object.keys(fieldErrors).forEach(function (k) {
          if (errors[k]) errors[k].textContent = fieldErrors[k];
        });
        status.textContent = error.message || "Something went wrong; try again.";
      }).catch(function () {
        submit.disabled = false;
        status.textContent = "Could not reach us; check your connection and try again.";
      });
    });
  }
})();
