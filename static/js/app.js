// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Buttons with data-copy copy the text of the element they name (e.g. a one-time password).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = "已复制";
    });
  });
  // Forms with data-confirm ask before submitting (disable an account, revoke a token).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Search suggestions: the box fetches them with htmx; here they open, close and follow the arrow keys.
  function suggestList(input) {
    return input && input.hasAttribute("data-suggest-for") ? document.getElementById(input.getAttribute("data-suggest-for")) : null;
  }
  function setOpen(input, list, open) {
    list.classList.toggle("open", open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    // Not every swap has a target element (a history restore has none).
    var list = event.detail && event.detail.target;
    if (!list || !list.classList || !list.classList.contains("suggest")) return;
    var input = document.querySelector('[data-suggest-for="' + list.id + '"]');
    if (input) setOpen(input, list, list.children.length > 0 && document.activeElement === input);
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest("[data-suggest-for]");
    var inList = event.target.closest(".suggest");
    if (!input && inList) input = document.querySelector('[data-suggest-for="' + inList.id + '"]');
    var list = suggestList(input);
    if (!list || !list.classList.contains("open")) return;
    var items = Array.prototype.slice.call(list.querySelectorAll(".suggest-item"));
    var index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = event.key === "ArrowDown" ? index + 1 : index - 1;
      if (next < 0) { input.focus(); return; }
      if (next >= items.length) next = items.length - 1;
      items[next].focus();
    } else if (event.key === "Escape") {
      setOpen(input, list, false);
      input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".suggest.open").forEach(function (list) {
      if (!list.parentNode.contains(event.target)) {
        var input = document.querySelector('[data-suggest-for="' + list.id + '"]');
        if (input) setOpen(input, list, false);
      }
    });
  });
  document.addEventListener("focusin", function (event) {
    var list = suggestList(event.target);
    if (list && list.children.length) setOpen(event.target, list, true);
  });
})();
