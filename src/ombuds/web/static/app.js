// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // No select sends its form on change: one arrow key would fire it. The button beside it does.

  // A part of a page that refreshes itself (hx-trigger="every …") waits while the keyboard focus is
  // inside it: swapping it would throw the focus back to the page. The next poll tries again.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail && event.detail.elt;
    var target = event.detail && event.detail.target;
    var polled = source instanceof Element && /^\s*every\s/.test(source.getAttribute("hx-trigger") || "");
    var active = document.activeElement;
    if (polled && target instanceof Element && active && active !== document.body && target.contains(active)) {
      event.detail.shouldSwap = false;
    }
  });

  // "Back to the form" on a refused form's page goes back in the history, where the browser keeps
  // what was typed; without script (or history) the link opens the form afresh.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-history-back]") : null;
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // The bar's "More" menu closes on a click elsewhere or on Escape, as menus do.
  function closeMenus(except) {
    document.querySelectorAll("details.navmore[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    var inside = event.target instanceof Element ? event.target.closest("details.navmore") : null;
    closeMenus(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });
})();

// Suggested wording: "Insert" puts the text into the reply box (#reply-text) for the agent to edit.
// The buttons are hidden until this runs; without it the text is on the page to copy.
(function () {
  "use strict";
  function csrfHeader() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-insert-reply]").forEach(function (button) {
      button.hidden = !document.getElementById("reply-text");
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-insert-reply]") : null;
    var box = document.getElementById("reply-text");
    if (!button || !box) {
      return;
    }
    var text = button.getAttribute("data-insert-reply") || "";
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    var useUrl = button.getAttribute("data-use-url");
    if (useUrl) {
      // counts the template's use; the text inserted is already on the page
      fetch(useUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfHeader() },
        body: "{}",
      });
    }
  });
})();
