// The upload page: drop or choose many files, send them to the API with a progress bar.
// Without this script the form still posts to the page itself (no progress bar).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = document.getElementById("files");
  var drop = document.getElementById("drop");
  var list = document.getElementById("chosen");
  var summary = document.getElementById("summary");
  var box = document.getElementById("progress-box");
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  var errorBox = document.getElementById("upload-error");
  var send = document.getElementById("send");
  var maxBytes = Number(form.dataset.maxMb) * 1024 * 1024;
  var maxFiles = Number(form.dataset.maxFiles);
  var chosen = [];

  function size(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function render() {
    list.innerHTML = "";
    var total = 0;
    chosen.forEach(function (file, i) {
      total += file.size;
      var li = document.createElement("li");
      li.textContent = file.name + " (" + size(file.size) + ")";
      if (file.size > maxBytes) {
        var warn = document.createElement("span");
        warn.className = "error";
        warn.textContent = " más grande que el límite: se guardará pero se rechazará; divídelo";
        li.appendChild(warn);
      }
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Quitar";
      remove.addEventListener("click", function () { chosen.splice(i, 1); render(); });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
    summary.textContent = chosen.length ? chosen.length + " archivo(s), " + size(total) : "";
    send.disabled = chosen.length === 0;
  }

  function add(files) {
    for (var i = 0; i < files.length; i++) chosen.push(files[i]);
    showError(chosen.length > maxFiles ? "Hay " + chosen.length + " archivos; el límite por envío es " +
      maxFiles + ". Quita algunos y súbelos en otro lote." : "");
    render();
  }

  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { if (e.dataTransfer) add(e.dataTransfer.files); });

  function problem(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      var parts = [];
      Object.keys(body).forEach(function (k) { parts.push([].concat(body[k]).join(" ")); });
      return parts.join(" ");
    } catch (err) {
      return "el servidor respondió " + xhr.status;
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!chosen.length) { showError("Elige uno o más archivos."); return; }
    if (chosen.length > maxFiles) return;
    showError("");
    var data = new FormData();
    chosen.forEach(function (file) { data.append("files", file, file.name); });
    data.append("name", form.querySelector("input[name=name]").value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api);
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (ev) {
      if (!ev.lengthComputable) return;
      var pct = Math.floor(100 * ev.loaded / ev.total);
      bar.value = pct;
      text.textContent = pct < 100 ? pct + " %" : "100 %: guardando los originales y poniendo las páginas en cola…";
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201) {
        var body = JSON.parse(xhr.responseText);
        window.location.assign(form.dataset.batchUrl.replace(/0\/$/, body.batch_id + "/"));
        return;
      }
      send.disabled = false;
      showError("No se pudo subir: " + problem(xhr) + ". Los archivos siguen en la lista; inténtalo de nuevo.");
    });
    xhr.addEventListener("error", function () {
      send.disabled = false;
      showError("Se perdió la conexión con el servidor. Los archivos siguen en la lista; inténtalo de nuevo.");
    });
    send.disabled = true;
    box.hidden = false;
    bar.value = 0;
    text.textContent = "0 %";
    xhr.send(data);
  });
  render();
})();
