/* Photo viewer: a thumbnail in a [data-viewer] gallery opens its full image in the page's <dialog id="photo-viewer">.
   Previous/next buttons, arrow keys and a swipe move through the gallery; Esc, the close button or a click beside the
   image closes it. Without JavaScript (or without <dialog>) the thumbnail stays a plain link to the full image. */
(function () {
  "use strict";

  var items = [];
  var index = 0;
  var opener = null;
  var touchX = null;

  function parts(dialog) {
    return {
      img: dialog.querySelector(".viewer-img"),
      caption: dialog.querySelector(".viewer-caption"),
      prev: dialog.querySelector(".viewer-prev"),
      next: dialog.querySelector(".viewer-next"),
      full: dialog.querySelector(".viewer-full")
    };
  }

  function show(dialog, i) {
    var p = parts(dialog);
    index = (i + items.length) % items.length;
    var link = items[index];
    var thumb = link.querySelector("img");
    p.img.src = link.href;
    p.img.alt = thumb ? thumb.alt : "";
    p.full.href = link.href;
    p.caption.textContent = (items.length > 1 ? (index + 1) + " / " + items.length + "  " : "") + (thumb ? thumb.alt : "");
    p.prev.hidden = items.length < 2;
    p.next.hidden = items.length < 2;
  }

  function open(dialog, gallery, link) {
    items = Array.prototype.slice.call(gallery.querySelectorAll("a[data-viewer-item]"));
    opener = link;
    show(dialog, Math.max(0, items.indexOf(link)));
    dialog.showModal();
    dialog.querySelector(".viewer-close").focus();
  }

  function wire(dialog) {
    if (dialog.dataset.wired) return;
    dialog.dataset.wired = "1";
    var p = parts(dialog);
    p.prev.addEventListener("click", function () { show(dialog, index - 1); });
    p.next.addEventListener("click", function () { show(dialog, index + 1); });
    dialog.querySelector(".viewer-close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowLeft") { ev.preventDefault(); show(dialog, index - 1); }
      else if (ev.key === "ArrowRight") { ev.preventDefault(); show(dialog, index + 1); }
    });
    // A click on the backdrop (outside the image and the buttons) closes the viewer.
    dialog.addEventListener("click", function (ev) {
      if (ev.target === dialog || ev.target.classList.contains("viewer-stage")) dialog.close();
    });
    dialog.addEventListener("touchstart", function (ev) {
      touchX = ev.touches.length === 1 ? ev.touches[0].clientX : null;
    }, { passive: true });
    dialog.addEventListener("touchend", function (ev) {
      if (touchX === null || items.length < 2) return;
      var dx = ev.changedTouches[0].clientX - touchX;
      touchX = null;
      if (Math.abs(dx) > 40) show(dialog, dx < 0 ? index + 1 : index - 1);
    });
    dialog.addEventListener("close", function () {
      p.img.removeAttribute("src");
      if (opener) opener.focus();
      opener = null;
    });
  }

  document.addEventListener("click", function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    var link = ev.target.closest ? ev.target.closest("a[data-viewer-item]") : null;
    if (!link) return;
    var gallery = link.closest("[data-viewer]");
    var dialog = document.getElementById("photo-viewer");
    if (!gallery || !dialog || typeof dialog.showModal !== "function") return;
    ev.preventDefault();
    wire(dialog);
    open(dialog, gallery, link);
  });
})();
