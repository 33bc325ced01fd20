// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); return; }
  // After choosing a scenario response, take the reader to its feedback.
  if (window.location.hash === "#feedback") {
    var feedback = document.getElementById("feedback");
    if (feedback) { feedback.focus(); }
  }
});
