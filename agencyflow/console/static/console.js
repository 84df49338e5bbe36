// The console's forms send their commands to the API itself, as JSON, with the session's
// CSRF token and an Idempotency-Key: the API's rules are the only rules, and what it
// refuses is shown beside the field it names, in Chinese, with its code.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var wordsNode = document.getElementById("console-words");
  var words = wordsNode ? JSON.parse(wordsNode.textContent) : { codes: {}, refused: {} };

  function newKey() {
    // crypto.randomUUID needs a secure context; a county server on plain HTTP is not one.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function put(target, path, value) {
    var parts = path.split(".");
    var here = target;
    for (var i = 0; i < parts.length - 1; i++) {
      var key = /^\d+$/.test(parts[i]) ? Number(parts[i]) : parts[i];
      if (here[key] === undefined) here[key] = /^\d+$/.test(parts[i + 1]) ? [] : {};
      here = here[key];
    }
    var last = parts[parts.length - 1];
    here[/^\d+$/.test(last) ? Number(last) : last] = value;
  }

  function send(method, url, body, multipart) {
    var headers = { "X-CSRF-Token": csrf, "Idempotency-Key": newKey(), "Accept": "application/json" };
    if (!multipart) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method, headers: headers, credentials: "same-origin",
      body: multipart ? body : JSON.stringify(body)
    }).then(function (answer) {
      return answer.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
        return { status: answer.status, body: parsed };
      });
    });
  }

  function Refusal(status, detail) { this.status = status; this.detail = detail || []; }

  function uploadAll(files) {
    var ids = [];
    return Array.prototype.reduce.call(files, function (done, file) {
      return done.then(function () {
        var data = new FormData();
        data.append("file", file);
        return send("POST", "/files", data, true).then(function (answer) {
          if (answer.status !== 201) throw new Refusal(answer.status, answer.body && answer.body.detail);
          ids.push(answer.body.file_id);
        });
      });
    }, Promise.resolve()).then(function () { return ids; });
  }

  function valueOf(field) {
    var kind = field.dataset.type || "";
    if (kind === "files") return uploadAll(field.files);
    var value = field.value;
    if (kind === "list") return Promise.resolve(value.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean));
    if (kind === "int") return Promise.resolve(value === "" ? undefined : Number(value));
    if (kind === "moment") return Promise.resolve(value === "" ? undefined : value + ":00+08:00");
    return Promise.resolve(value === "" ? undefined : value);
  }

  function collect(form) {
    var body = {};
    var checks = {};
    var pending = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrf_token" || field.disabled) return;
      if (field.type === "checkbox" && field.dataset.type === "checks") {
        checks[field.name] = checks[field.name] || [];
        if (field.checked) checks[field.name].push(field.value);
        return;
      }
      pending.push(valueOf(field).then(function (value) {
        if (value !== undefined && !(Array.isArray(value) && value.length === 0 && field.dataset.type === "files")) {
          put(body, field.name, value);
        }
      }));
    });
    return Promise.all(pending).then(function () {
      Object.keys(checks).forEach(function (name) { put(body, name, checks[name]); });
      return body;
    });
  }

  function clear(form) {
    form.querySelectorAll(".field-error, .form-error").forEach(function (node) {
      node.textContent = ""; node.removeAttribute("data-code"); node.removeAttribute("data-status");
    });
  }

  function slotFor(form, loc) {
    var path = (loc || []).slice(loc && loc[0] === "body" ? 1 : 0).map(String);
    if (loc && (loc[0] === "query" || loc[0] === "path")) path = [];
    for (var n = path.length; n > 0; n--) {
      var name = path.slice(0, n).join(".");
      var slot = form.querySelector('.field-error[data-for="' + name + '"]');
      if (slot) return slot;
    }
    return form.querySelector(".form-error");
  }

  function show(form, refusal) {
    var headline = form.querySelector(".form-error");
    var entries = refusal.detail.length ? refusal.detail : [{ type: "http." + refusal.status, loc: [], msg: "" }];
    entries.forEach(function (entry) {
      var slot = slotFor(form, entry.loc);
      if (!slot) return;
      var said = words.codes[entry.type] || entry.msg;
      var text = said + "（" + entry.type + "）";
      slot.textContent = slot.textContent ? slot.textContent + "；" + text : text;
      slot.setAttribute("data-code", entry.type);
    });
    if (headline) {
      headline.setAttribute("data-status", String(refusal.status));
      if (!headline.textContent) headline.textContent = (words.refused[refusal.status] || "操作未完成") + "（" + refusal.status + "）";
      else headline.textContent = (words.refused[refusal.status] || "") + "：" + headline.textContent;
    }
  }

  // An answer shown in place rather than kept anywhere (a reporter's identity): the page
  // is not reloaded, so it is gone when the official leaves the page.
  function showAnswer(form, body) {
    var labels = JSON.parse(form.dataset.show);
    var list = form.querySelector("dl.answer");
    list.textContent = "";
    Object.keys(labels).forEach(function (key) {
      var term = document.createElement("dt"), value = document.createElement("dd");
      term.textContent = labels[key];
      value.textContent = body && body[key] ? body[key] : "—";
      value.setAttribute("data-field", key);
      list.appendChild(term); list.appendChild(value);
    });
  }

  function submit(event) {
    var form = event.target;
    if (!form.dataset.api) return;
    event.preventDefault();
    var parts = form.dataset.api.split(" ");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    clear(form);
    var multipart = form.enctype === "multipart/form-data";
    var body = multipart ? Promise.resolve(new FormData(form)) : collect(form);
    body.then(function (payload) {
      if (multipart) payload.delete("csrf_token");
      return send(parts[0], parts[1], payload, multipart);
    }).then(function (answer) {
      if (answer.status >= 400) throw new Refusal(answer.status, answer.body && answer.body.detail);
      if (form.dataset.show) return showAnswer(form, answer.body);
      if (form.dataset.then) window.location.assign(form.dataset.then);
      else window.location.reload();
    }).catch(function (error) {
      show(form, error instanceof Refusal ? error : new Refusal(0, [{ type: "network", loc: [], msg: String(error) }]));
    }).then(function () { if (button) button.disabled = false; });
  }

  function addAnother(event) {
    var button = event.target.closest("button[data-add]");
    if (!button) return;
    var name = button.dataset.add;
    var holder = button.form.querySelector('.repeat[data-repeat="' + name + '"]');
    var last = holder.lastElementChild;
    var index = Number(last.dataset.index) + 1;
    var copy = last.cloneNode(true);
    var from = name + "." + last.dataset.index + ".", to = name + "." + index + ".";
    copy.dataset.index = String(index);
    copy.querySelectorAll("[name], [data-for]").forEach(function (node) {
      if (node.name) node.name = node.name.replace(from, to);
      if (node.dataset.for) node.dataset.for = node.dataset.for.replace(from, to);
      if (node.classList.contains("field-error")) node.textContent = "";
      if (node.tagName === "SELECT") node.selectedIndex = 0;
      else if (node.value !== undefined && node.type !== "checkbox") node.value = "";
    });
    holder.appendChild(copy);
  }

  document.addEventListener("submit", submit);
  document.addEventListener("click", addAnother);
})();
