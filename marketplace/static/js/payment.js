// Payment page: copy buttons, and a live status that updates by itself (polling every 3 s,
// slower when the tab is hidden) until every payment is settled.
(function () {
  // copy buttons do nothing without JS: the page ships them hidden, shown here
  document.querySelectorAll('button.copy[hidden]').forEach(function (b) { b.hidden = false; });
  document.addEventListener('click', function (e) {
    if (e.target.closest('[data-print]')) { window.print(); return; }
    var btn = e.target.closest('button.copy');
    if (!btn) return;
    var text = btn.getAttribute('data-copy');
    var done = function () { var old = btn.textContent; btn.textContent = '✓'; setTimeout(function () { btn.textContent = old; }, 1500); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, done); else done();
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.pay[data-status-url]'));
  var open = function (s) { return ['requires_payment', 'partially_paid'].indexOf(s.getAttribute('data-status')) >= 0; };
  function poll() {
    var pending = sections.filter(open);
    if (!pending.length) return;
    Promise.all(pending.map(function (s) {
      return fetch(s.getAttribute('data-status-url'), { cache: 'no-store' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (body && body.status !== s.getAttribute('data-status')) window.location.reload();
        }).catch(function () {});
    })).then(function () { setTimeout(poll, document.hidden ? 15000 : 3000); });
  }
  setTimeout(poll, 3000);
})();
