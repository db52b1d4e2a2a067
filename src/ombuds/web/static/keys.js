// Keyboard work on the inbox and the case page, and the inbox's "select all on page".
// j/k move through the cases, o or Enter opens one, a assigns it to me, r reply, n note,
// / search, ? shows the keys. Keys are ignored while typing in a field. Every page works without it.
(function () {
  "use strict";
  var KEYS = [
    ["j / k", "next / previous case in the list"],
    ["o or Enter", "open the case"],
    ["a", "assign the case to me"],
    ["r", "write a reply (case page)"],
    ["n", "write an internal note (case page)"],
    ["x", "select the case for a bulk change (inbox)"],
    ["/", "search"],
    ["?", "show or hide these keys"],
  ];
  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-testid=case-row]"));
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  function typing(target) {
    if (!(target instanceof Element)) {
      return false;
    }
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function move(step) {
    var list = rows();
    if (!list.length) {
      return;
    }
    var focused = list.findIndex(function (row) {
      return row.contains(document.activeElement);
    });
    var from = focused >= 0 ? focused : current;
    current = from < 0 ? 0 : Math.max(0, Math.min(list.length - 1, from + step));
    list.forEach(function (row, index) {
      row.classList.toggle("is-current", index === current);
    });
    var link = list[current].querySelector(".case-link");
    if (link) {
      link.focus();
    }
  }

  function currentRow() {
    var list = rows();
    var focused = list.find(function (row) {
      return row.contains(document.activeElement);
    });
    return focused || list[current] || null;
  }

  function assignToMe() {
    var button = document.querySelector("[data-testid=assign-to-me]");
    if (button) {
      button.click(); // the case page: its own form, with its flash message
      return;
    }
    var row = currentRow();
    if (!row) {
      return;
    }
    var body = new URLSearchParams({ assignee: "me", csrf_token: csrfToken() });
    fetch("/cases/" + row.getAttribute("data-case-id") + "/assignee", {
      method: "POST",
      credentials: "same-origin",
      body: body,
    }).then(function (answer) {
      if (!answer.ok) {
        return;
      }
      // the row says so in place: the list is not reloaded, so focus and scroll stay
      var meta = row.querySelector(".case-meta");
      if (meta && !row.querySelector("[data-assigned-to-me]")) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.setAttribute("data-assigned-to-me", "");
        chip.textContent = "Assigned to you";
        meta.parentNode.insertBefore(chip, meta);
      }
    });
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (field) {
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
    return Boolean(field);
  }

  function toggleHelp() {
    var dialog = document.getElementById("keys-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "keys-help";
      dialog.className = "keys-help";
      dialog.setAttribute("aria-labelledby", "keys-help-title");
      var title = document.createElement("h2");
      title.id = "keys-help-title";
      title.textContent = "Keyboard";
      var list = document.createElement("dl");
      KEYS.forEach(function (pair) {
        var key = document.createElement("dt");
        var kbd = document.createElement("kbd");
        kbd.textContent = pair[0];
        key.appendChild(kbd);
        var what = document.createElement("dd");
        what.textContent = pair[1];
        list.appendChild(key);
        list.appendChild(what);
      });
      var close = document.createElement("button");
      close.type = "button";
      close.className = "btn btn-small";
      close.textContent = "Close";
      close.addEventListener("click", function () {
        dialog.close();
      });
      dialog.appendChild(title);
      dialog.appendChild(list);
      dialog.appendChild(close);
      document.body.appendChild(dialog);
    }
    if (dialog.open) {
      dialog.close();
    } else {
      dialog.showModal();
    }
  }

  function toggleSelected() {
    var row = currentRow();
    var box = row ? row.querySelector("input[name=case_ids]") : null;
    if (box) {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var open = document.getElementById("keys-help");
    if (open && open.open && event.key !== "?") {
      return;
    }
    var handled = true;
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "o":
      case "Enter": {
        // Enter on a button or a link outside the list keeps its own meaning
        var active = document.activeElement;
        if (event.key === "Enter" && active && active !== document.body && !active.closest("[data-testid=case-row]")) {
          handled = false;
          break;
        }
        var row = currentRow();
        var link = row ? row.querySelector(".case-link") : null;
        if (link) {
          window.location.href = link.href;
        } else {
          handled = false;
        }
        break;
      }
      case "a":
        assignToMe();
        break;
      case "r":
        handled = focusField("#reply-text");
        break;
      case "n":
        handled = focusField("#note-text");
        break;
      case "x":
        toggleSelected();
        break;
      case "/":
        if (!focusField("#inbox-q, input[type=search]")) {
          window.location.href = "/inbox#search";
        }
        break;
      case "?":
        toggleHelp();
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  function countSelected() {
    var boxes = document.querySelectorAll("input[name=case_ids]");
    var chosen = document.querySelectorAll("input[name=case_ids]:checked").length;
    document.querySelectorAll("[data-bulk-count]").forEach(function (label) {
      label.textContent = chosen === 1 ? "1 case selected:" : chosen + " cases selected:";
    });
    document.querySelectorAll("[data-select-all]").forEach(function (all) {
      all.checked = boxes.length > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) {
      return;
    }
    if (target.hasAttribute("data-select-all")) {
      document.querySelectorAll("input[name=case_ids]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.hasAttribute("data-select-all") || target.name === "case_ids") {
      countSelected();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-all]").forEach(function (all) {
      all.hidden = false;
    });
    if (document.querySelector("input[name=case_ids]")) {
      countSelected();
    }
    if (window.location.hash === "#search") {
      focusField("#inbox-q, input[type=search]");
    }
  });
})();
