// The few interactions of the pages, in plain JavaScript: everything also works without it, by plain form posts.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // "Select all" checkboxes tick the boxes of their group (data-target -> data-group) and keep a count.
  function updateCount() {
    var count = document.querySelectorAll("input[data-group=pick]:checked").length;
    document.querySelectorAll(".js-selected-count").forEach(function (el) {
      el.textContent = "(" + count + ")";
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList.contains("js-check-all")) {
      document.querySelectorAll("input[data-group=" + target.dataset.target + "]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.matches("input[data-group=pick], .js-check-all")) {
      updateCount();
    }
  });

  // Show a revealed sample's text in its box, in place of the veil and its button.
  function showRevealed(box, data) {
    var text = box.querySelector(".sensitive__text");
    text.textContent = "";
    [["Note", data.notes], ["Transcript", data.transcript]].forEach(function (pair) {
      if (!pair[1]) {
        return;
      }
      var p = document.createElement("p");
      var label = document.createElement("span");
      label.className = "sample-text__label";
      label.textContent = pair[0];
      p.appendChild(label);
      p.appendChild(document.createTextNode(" " + pair[1]));
      text.appendChild(p);
    });
    text.hidden = false;
    box.classList.add("is-revealed");
    var veil = box.querySelector(".sensitive__veil");
    if (veil) {
      veil.remove();
    }
    var single = box.querySelector("form.js-reveal");
    if (single) {
      single.remove();
    }
  }

  function postForJson(form, body) {
    return fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
      credentials: "same-origin",
      body: body,
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  // Revealing a blurred sample (POST, recorded on the server), or the visible page of them at once (the case room's
  // "Reveal this page", confirmed in its popover: one POST with the page's ids, each reveal recorded): then the text
  // is shown in place.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList.contains("js-reveal")) {
      event.preventDefault();
      var box = form.closest(".sensitive");
      postForJson(form)
        .then(function (data) {
          showRevealed(box, data);
        })
        .catch(function () {
          form.querySelector("button").textContent = "Could not reveal; retry";
        });
    } else if (form.classList.contains("js-reveal-page")) {
      event.preventDefault();
      postForJson(form, new FormData(form))
        .then(function (data) {
          data.revealed.forEach(function (sample) {
            var target = document.querySelector('.sensitive[data-sample="' + sample.id + '"]');
            if (target) {
              showRevealed(target, sample);
            }
          });
          var holder = form.closest(".reveal-page");
          var note = document.createElement("span");
          note.className = "small muted";
          note.setAttribute("role", "status");
          note.textContent = "Revealed " + data.revealed.length + " sample" + (data.revealed.length === 1 ? "" : "s") + ".";
          holder.replaceWith(note);
        })
        .catch(function () {
          form.querySelector("button").textContent = "Could not reveal; retry";
        });
    }
  });

  // Close an open user menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
})();
