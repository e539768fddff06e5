// "Print or save as PDF" buttons: a static file, so the page needs no inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
