// Progressive enhancement for application forms: save the draft as the user types, and stop a
// second click on a submit button. Everything works without this file.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (form && window.fetch && window.FormData) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var save = function () {
      var data = new FormData(form);
      data.set("intent", "save");
      fetch(form.getAttribute("data-autosave"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (status && response.ok) { status.textContent = document.documentElement.lang === "en" ? "Draft saved." : "草稿已保存。"; }
      }).catch(function () { /* the Save button still works */ });
    };
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1500);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (each) {
    each.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button) { return; }
      if (button.dataset.clicked) { event.preventDefault(); return; }
      button.dataset.clicked = "1";
      window.setTimeout(function () { delete button.dataset.clicked; }, 4000);
    });
  });
})();
