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

  // Revealing a blurred sample: POST (recorded on the server), then show the text in place.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("js-reveal")) {
      return;
    }
    event.preventDefault();
    var box = form.closest(".sensitive");
    fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
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
        box.querySelector(".sensitive__veil").remove();
        form.remove();
      })
      .catch(function () {
        form.querySelector("button").textContent = "Could not reveal; retry";
      });
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
