// Fill the commune picker when the province changes (the official 2025 list, from the API).
(function () {
  var province = document.querySelector('select[name="province"]');
  var commune = document.getElementById('commune');
  if (!province || !commune) return;
  province.addEventListener('change', function () {
    commune.length = 1;
    if (!province.value) return;
    fetch('/api/v1/provinces/' + encodeURIComponent(province.value) + '/communes?with_products=1')
      .then(function (r) { return r.ok ? r.json() : { data: [] }; })
      .then(function (body) {
        body.data.forEach(function (c) {
          var opt = document.createElement('option');
          opt.value = c.code; opt.textContent = c.short_name;
          commune.appendChild(opt);
        });
      });
  });
})();
