// rvucheck serve: the drop zone of the upload form and the progress poll. Plain JS, no build step.
(function () {
  "use strict";
  var zone = document.querySelector(".dropzone");
  var input = document.getElementById("file");
  var chosen = document.getElementById("chosen");
  if (zone && input) {
    var show = function () { chosen.textContent = input.files.length ? input.files[0].name : ""; };
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) { input.files = event.dataTransfer.files; show(); }
    });
  }
  var box = document.querySelector(".progress[data-status]");
  if (box) {
    var bar = box.querySelector("progress");
    var step = box.querySelector(".step");
    var poll = function () {
      fetch(box.getAttribute("data-status"), { cache: "no-store", credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          bar.value = status.done;
          step.textContent = status.step || "working";
          if (status.state === "running") { setTimeout(poll, 500); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }
})();
