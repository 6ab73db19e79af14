// File pickers in Chinese whatever the browser's language: a button that says what to choose and the chosen names.
// Without this script the native picker stays, styled by app.css.
(function () {
  "use strict";
  var serial = 0;
  function describe(input) {
    var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    if (!files.length) return input.multiple ? "未选择文件（可一次选多张）" : "未选择文件";
    if (files.length === 1) return "已选择：" + files[0];
    return "已选择 " + files.length + " 个文件：" + files.join("、");
  }
  function enhance(input) {
    if (input.hasAttribute("data-picker")) return;
    input.setAttribute("data-picker", "");
    if (!input.id) input.id = "file-picker-" + (++serial);
    var images = (input.getAttribute("accept") || "").indexOf("image/") === 0 && input.getAttribute("accept").indexOf("pdf") < 0;
    var wrap = document.createElement("span");
    wrap.className = "file-picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    input.classList.add("file-native");
    var button = document.createElement("label");
    button.className = "btn btn-ghost btn-small file-button";
    button.htmlFor = input.id;
    button.textContent = input.getAttribute("data-button") || (images ? "选择图片" : "选择文件");
    var name = document.createElement("span");
    name.className = "file-name";
    name.setAttribute("aria-live", "polite");
    name.textContent = describe(input);
    wrap.appendChild(button);
    wrap.appendChild(name);
    input.addEventListener("change", function () { name.textContent = describe(input); });
  }
  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("input[type=file]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
