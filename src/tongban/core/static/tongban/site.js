/* Enhancements only: every page works without this file.
   After a submit that failed, focus moves to the error summary, so a screen-reader or keyboard
   user starts at the list of problems, each a link to its field (the GOV.UK pattern). */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
