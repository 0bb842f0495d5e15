// The batch page: counts per state, the progress bar and the failures, refreshed from the API
// until no page is queued or running; then the page reloads once to show every record.
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || !window.fetch) return;
  var wasFinished = box.dataset.finished === "1";
  var delay = 2000;

  function set(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }

  function cell(text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function showFailures(failures) {
    var table = document.getElementById("failures");
    var body = table.querySelector("tbody");
    body.innerHTML = "";
    failures.forEach(function (f) {
      var tr = document.createElement("tr");
      [cell(f.file), cell(String(f.page)), cell(f.state, "state-" + f.state), cell(f.error)].forEach(function (td) {
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.hidden = failures.length === 0;
    document.getElementById("no-failures").hidden = failures.length !== 0;
  }

  function show(p) {
    ["total", "queued", "running", "done", "failed", "poison", "skipped"].forEach(function (state) {
      var el = box.querySelector('[data-count="' + state + '"]');
      if (el) el.textContent = p[state];
    });
    var ended = p.total - p.queued - p.running;
    var pct = p.total ? Math.round(100 * ended / p.total) : 100;
    document.getElementById("bar").value = pct;
    set("percent", pct);
    set("status", p.finished ? "terminado" : "en proceso");
    set("updated", "· actualizado " + new Date().toLocaleTimeString());
    showFailures(p.failures || []);
  }

  function poll() {
    fetch(box.dataset.api, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (p) {
        show(p);
        delay = 2000;
        if (p.finished) {
          if (!wasFinished) window.location.reload();
          return;
        }
        setTimeout(poll, delay);
      })
      .catch(function () {
        set("updated", "· sin conexión, reintentando…");
        delay = Math.min(delay * 2, 30000);
        setTimeout(poll, delay);
      });
  }

  if (!wasFinished) setTimeout(poll, 500);
})();
