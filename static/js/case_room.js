// The case room: the form in error brought into view, and `@` autocomplete of the people who can see the case.
// Plain JavaScript; the page works without it (the server refuses a mention of someone who cannot see the case).
(function () {
  "use strict";

  // A rejected form is rendered with its first field in error marked `autofocus`, but browsers skip autofocus when
  // the URL has a fragment (our forms post to `#their-anchor`): focus it here, and bring the error to the middle of
  // the screen, since the anchor alone puts the top of a long form, not its error, in view.
  // Done on `load`: the browser's own scroll to the fragment comes first and would undo both.
  window.addEventListener("load", function () {
    var error = document.querySelector("[aria-invalid=true], .has-error, .form-errors, .field__error");
    var field = document.querySelector("main [autofocus]");
    if (field) {
      field.focus({ preventScroll: true });
    }
    if (error) {
      error.scrollIntoView({ block: "center" });
    }
  });

  var source = document.getElementById("mention-people");
  if (!source) {
    return;
  }
  var people = JSON.parse(source.textContent);
  var MENTION_BEFORE_CARET = /(?:^|[^\w@/])@([A-Za-z0-9_.+-]*)$/;
  var MAX_SHOWN = 8;
  var listCount = 0;

  function matching(query) {
    var q = query.toLowerCase();
    return people
      .filter(function (person) {
        return (
          person.username.toLowerCase().indexOf(q) === 0 ||
          person.name.toLowerCase().split(/\s+/).some(function (word) {
            return word.indexOf(q) === 0;
          })
        );
      })
      .slice(0, MAX_SHOWN);
  }

  function attach(textarea) {
    var list = document.createElement("ul");
    list.id = "mention-list-" + ++listCount;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People who can see this case");
    list.hidden = true;
    list.style.cssText =
      "list-style:none;margin:0;padding:4px 0;border:1px solid var(--line,#ccc);border-radius:6px;" +
      "background:var(--card,#fff);max-width:100%;";
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);
    var active = 0;
    var shown = [];

    function close() {
      list.hidden = true;
      shown = [];
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
        item.style.background = i === index ? "var(--brand-soft,#e8eefc)" : "";
      });
      if (list.children[index]) {
        textarea.setAttribute("aria-activedescendant", list.children[index].id);
      }
    }

    function pick(person) {
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, caret);
      var match = MENTION_BEFORE_CARET.exec(before);
      if (!match) {
        return close();
      }
      var start = caret - match[1].length;
      var insert = person.username + " ";
      textarea.value = textarea.value.slice(0, start) + insert + textarea.value.slice(caret);
      textarea.selectionStart = textarea.selectionEnd = start + insert.length;
      close();
      textarea.focus();
    }

    function update() {
      var match = MENTION_BEFORE_CARET.exec(textarea.value.slice(0, textarea.selectionStart));
      shown = match ? matching(match[1]) : [];
      if (!shown.length) {
        return close();
      }
      list.textContent = "";
      shown.forEach(function (person, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.style.cssText = "padding:4px 10px;cursor:pointer;overflow-wrap:anywhere;";
        item.textContent = "@" + person.username + (person.name ? " · " + person.name : "");
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus (and the caret) in the textarea
          pick(person);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      highlight(0);
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("blur", close);
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : shown.length - 1;
        highlight((active + step) % shown.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        pick(shown[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  document.querySelectorAll("textarea.js-mention").forEach(attach);
})();
