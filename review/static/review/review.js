/* Folio review: keyboard decisions, one round trip per item.
 *
 * Enter accepts the current value, 1-9 picks a candidate, typing sets a value
 * (Enter saves it, Esc gives the keys back), S skips, K toggles keeping the
 * printed spelling as a catalog alias. Each decision is one POST whose answer
 * is the next item; it replaces the current one in place. Without this
 * script the same form posts and the server redirects to the next item.
 */
(function () {
  "use strict";
  var busy = false;

  function item() { return document.getElementById("review"); }

  function swapIn(html, url) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#review");
    var old = item();
    if (!fresh || !old) { window.location.reload(); return; }
    old.replaceWith(fresh);
    if (url) { window.history.pushState({}, "", url); }
    if (document.activeElement && document.activeElement !== document.body) { document.activeElement.blur(); }
    document.dispatchEvent(new CustomEvent("folio:item", { detail: { field: fresh.dataset.field } }));
  }

  function send(url, init) {
    if (busy) { return; }
    busy = true;
    document.body.classList.add("busy");
    init.headers = { "X-Folio-Fragment": "1" };
    init.credentials = "same-origin";
    fetch(url, init).then(function (r) {
      if (r.redirected && r.url.indexOf("/accounts/login/") !== -1) { window.location.href = r.url; return null; }
      var next = r.headers.get("X-Folio-Url");
      return r.text().then(function (html) { swapIn(html, next); });
    }).catch(function () {
      var root = item();
      if (root) { root.insertAdjacentHTML("afterbegin", '<p class="error" role="alert">Sin conexión con el servidor; nada se guardó.</p>'); }
    }).finally(function () {
      busy = false;
      document.body.classList.remove("busy");
    });
  }

  function decide(form, extra, submitter) {
    var data = submitter ? new FormData(form, submitter) : new FormData(form);
    Object.keys(extra).forEach(function (k) { data.set(k, extra[k]); });
    send(form.getAttribute("action"), { method: "POST", body: data });
  }

  function skip() {
    var root = item();
    if (root && root.dataset.next) { send(root.dataset.next, { method: "GET" }); }
  }

  document.addEventListener("submit", function (e) {
    if (e.target.id !== "review-form") { return; }
    e.preventDefault();
    decide(e.target, {}, e.submitter);
  });

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("#review a.skip");
    if (link) { e.preventDefault(); skip(); }
  });

  document.addEventListener("keydown", function (e) {
    var root = item();
    var form = document.getElementById("review-form");
    if (!root || !form || busy || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) { return; }
    var input = document.getElementById("value");
    var active = document.activeElement;
    if (active === input) {
      if (e.key === "Enter") { e.preventDefault(); decide(form, { action: "set" }); }
      else if (e.key === "Escape") { e.preventDefault(); input.value = input.dataset.current; input.blur(); }
      return;
    }
    if (active && active.tagName === "INPUT") { return; }  // the note field, the alias box
    if (e.key === "Enter") { e.preventDefault(); decide(form, { action: "accept" }); return; }
    if (/^[1-9]$/.test(e.key) && root.querySelector('.candidates [data-n="' + e.key + '"]')) {
      e.preventDefault(); decide(form, { pick: e.key }); return;
    }
    if (e.key === "s" || e.key === "S") { e.preventDefault(); skip(); return; }
    var alias = document.getElementById("keep-alias");
    if ((e.key === "k" || e.key === "K") && alias) { e.preventDefault(); alias.checked = !alias.checked; return; }
    if (e.key === "F2" || e.key === "Backspace") { e.preventDefault(); input.focus(); input.select(); return; }
    if (e.key.length === 1 && e.key !== " ") { e.preventDefault(); input.value = e.key; input.focus(); }
  });

  window.addEventListener("popstate", function () { window.location.reload(); });
})();
