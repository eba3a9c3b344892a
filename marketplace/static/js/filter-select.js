// Accent-insensitive search over a long <select> (communes, banks): type "tan cuong" or a BIN.
// <input type="search" data-filter-select="SELECT_ID" hidden>  (shown only when JS runs)
(function () {
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
  }
  document.querySelectorAll('input[data-filter-select]').forEach(function (input) {
    var select = document.getElementById(input.getAttribute('data-filter-select'));
    if (!select) return;
    input.hidden = false;
    var all = null;
    // communes.js refills the list when the province changes: forget the old snapshot
    var watch = new MutationObserver(function () { all = null; input.value = ''; });
    watch.observe(select, { childList: true });
    input.addEventListener('input', function () {
      if (!all) all = Array.prototype.slice.call(select.options);
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      select.length = 0;
      var shown = all.filter(function (opt, i) {
        var text = fold(opt.textContent + ' ' + opt.value);
        return i === 0 || words.every(function (w) { return text.indexOf(w) >= 0; });
      });
      shown.forEach(function (opt) { select.appendChild(opt); });
      watch.takeRecords();  // our own rebuild is not a refill
      if (shown.length === 2) select.value = shown[1].value;
      else if (shown.some(function (o) { return o.value === chosen; })) select.value = chosen;
    });
  });
})();
