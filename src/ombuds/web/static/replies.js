// The reply composer: the channel's length counted as you type, the private part shown only when it
// is used, the reply checker's findings while typing (POST /api/v1/replies/check, debounced), and
// the words typed kept for the tab until they are sent.
// Without this script the form still works: the limits are stated, findings come back on send.

// A reply to post by hand: its words copied in one click (the button shows only where copying works).
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy-text]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-text")).then(function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  });
})();

(function () {
  "use strict";
  var form = document.querySelector("form[data-composer]");
  if (!form) return;
  var caseId = Number(form.getAttribute("data-case-id"));
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var privatePart = form.querySelector("[data-private-part]");
  var ackOnly = form.querySelectorAll("[data-ack-only]");
  var inputs = form.querySelectorAll("textarea[data-reply-input]");
  var DEBOUNCE_MS = 350;

  function mode() {
    var checked = form.querySelector("input[name=visibility]:checked");
    return checked ? checked.value : "public";
  }

  // The visibility a text goes out with: the main text is public unless the mode is private.
  function visibilityOf(input) {
    if (input.getAttribute("data-visibility")) return input.getAttribute("data-visibility");
    return mode() === "private" ? "private" : "public";
  }

  function limitOf(visibility) {
    var value = form.getAttribute("data-limit-" + visibility);
    return value ? Number(value) : null;
  }

  // Characters as the server counts them (code points), so an emoji is one, as on the channels.
  function length(text) {
    return Array.from(text).length;
  }

  function count(input) {
    var counter = document.getElementById(input.getAttribute("data-counter"));
    if (!counter) return;
    var visibility = visibilityOf(input);
    var limit = limitOf(visibility);
    var used = length(input.value);
    counter.textContent = limit
      ? used + " / " + limit + " characters (" + visibility + ")"
      : used + " characters · no length limit for a " + visibility + " reply";
    counter.classList.toggle("reply-count-over", limit !== null && used > limit);
  }

  function show(input, findings, sentText) {
    var list = document.getElementById(input.getAttribute("data-findings"));
    if (!list) return;
    list.textContent = "";
    var chars = Array.from(sentText);
    findings.forEach(function (finding) {
      var item = document.createElement("li");
      item.className = "reply-finding finding-" + finding.severity;
      item.setAttribute("data-code", finding.code);
      var badge = document.createElement("span");
      badge.className = "badge finding-severity";
      badge.textContent = finding.severity;
      var message = document.createElement("span");
      message.className = "finding-message";
      message.textContent = finding.message;
      item.append(badge, " ", message);
      if (finding.end > finding.start) {
        var quote = document.createElement("q");
        quote.className = "finding-quote";
        quote.textContent = chars.slice(finding.start, finding.end).join("");
        item.append(" ", quote);
        // Offsets are into the text as sent; they point into the box only when no variable changed it.
        if (sentText === input.value) {
          item.classList.add("finding-selectable");
          item.title = "Select these words in the reply";
          item.addEventListener("click", function () {
            var before = Array.from(input.value).slice(0, finding.start).join("").length;
            var span = chars.slice(finding.start, finding.end).join("").length;
            input.focus();
            input.setSelectionRange(before, before + span);
          });
        }
      }
      list.append(item);
    });
  }

  function checker(input) {
    var timer = null;
    var asked = 0;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value;
        var ticket = ++asked;
        if (!text.trim()) {
          show(input, [], "");
          return;
        }
        fetch("/api/v1/replies/check", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ case_id: caseId, text: text, visibility: visibilityOf(input) }),
        })
          .then(function (answer) {
            return answer.ok ? answer.json() : null;
          })
          .then(function (body) {
            // An older answer that arrives late must not replace a newer one.
            if (body && ticket === asked) show(input, body.findings, body.text);
          })
          .catch(function () {
            /* the checker runs again on send; a lost live check costs nothing */
          });
      }, DEBOUNCE_MS);
    };
  }

  // Words typed and left (a look at the inbox, a colleague's case) are kept for this tab until
  // sent: in sessionStorage, which ends with the tab, so a shared computer keeps no customer's
  // reply once it is closed. A box the page filled (a draft from the desk, a refused reply sent
  // back) keeps what the page says.
  function draftKey(input) {
    return "ombuds-reply:" + caseId + ":" + input.name;
  }
  function keep(input) {
    try {
      if (input.value.trim()) sessionStorage.setItem(draftKey(input), input.value);
      else sessionStorage.removeItem(draftKey(input));
    } catch (error) {
      /* storage refused (private mode, full): the box still works */
    }
  }
  function restore(input) {
    try {
      var kept = sessionStorage.getItem(draftKey(input));
      if (kept && !input.value.trim()) input.value = kept;
    } catch (error) {
      /* as above */
    }
  }
  form.addEventListener("submit", function () {
    inputs.forEach(function (input) {
      try {
        sessionStorage.removeItem(draftKey(input));
      } catch (error) {
        /* as above */
      }
    });
  });

  var checks = [];
  inputs.forEach(function (input) {
    restore(input);
    var check = checker(input);
    checks.push(check);
    input.addEventListener("input", function () {
      count(input);
      check();
      keep(input);
    });
    count(input);
  });

  function applyMode() {
    var ack = mode() === "ack_then_private";
    if (privatePart) privatePart.hidden = !ack;
    var privateText = form.querySelector("#private-text");
    if (privateText) privateText.required = ack;
    ackOnly.forEach(function (node) {
      node.hidden = !ack;
    });
    inputs.forEach(function (input, index) {
      count(input);
      if (input.value.trim()) checks[index]();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "visibility") applyMode();
  });
  applyMode();
})();
