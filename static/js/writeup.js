// The write-up page's "Print" button (the page prints without it, too: Ctrl+P).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
