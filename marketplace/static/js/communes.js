// Fill a commune picker when its province changes (the official 2025 list, from the API).
// <select name="province" data-communes-target="ID" [data-all-communes="1"]>
(function () {
  document.querySelectorAll('select[data-communes-target]').forEach(function (province) {
    var commune = document.getElementById(province.getAttribute('data-communes-target'));
    if (!commune) return;
    var all = province.getAttribute('data-all-communes') === '1';
    function load(selected) {
      commune.length = 1;
      if (!province.value) return;
      var url = '/api/v1/provinces/' + encodeURIComponent(province.value) + '/communes' + (all ? '' : '?with_products=1');
      fetch(url).then(function (r) { return r.ok ? r.json() : { data: [] }; }).then(function (body) {
        body.data.forEach(function (c) {
          var opt = document.createElement('option');
          opt.value = c.code; opt.textContent = c.name;
          if (c.code === selected) opt.selected = true;
          commune.appendChild(opt);
        });
      });
    }
    province.addEventListener('change', function () { load(null); });
    if (province.value && commune.length <= 1) load(commune.getAttribute('data-selected') || null);
  });
})();
