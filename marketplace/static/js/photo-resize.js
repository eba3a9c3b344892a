// Light uploads on weak 3G. <input type="file" accept="image/*" data-resize>: each chosen image
// is scaled to at most 2000 px on its longer side and re-encoded as JPEG 0.85, kept only when
// smaller; on any failure the original stays (the server checks every file anyway).
// data-resize becomes "busy", then "done". The form then posts by XHR with a <progress> bar;
// without JS (or upload progress) it posts as before.
(function () {
  var MAX = 2000, QUALITY = 0.85;
  var canShrink = !!(window.createImageBitmap && window.DataTransfer);
  var canProgress = !!(window.FormData && 'upload' in new XMLHttpRequest());

  function shrink(file) {
    if (!/^image\//.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bmp) {
      var scale = Math.min(1, MAX / Math.max(bmp.width, bmp.height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(bmp.width * scale);
      canvas.height = Math.round(bmp.height * scale);
      canvas.getContext('2d').drawImage(bmp, 0, 0, canvas.width, canvas.height);
      return new Promise(function (done) { canvas.toBlob(done, 'image/jpeg', QUALITY); });
    }).then(function (blob) {
      if (!blob || blob.size >= file.size) return file;
      return new File([blob], file.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' });
    }).catch(function () { return file; });
  }

  function upload(form, button) {
    var data = new FormData(form);
    if (button && button.name) data.append(button.name, button.value);
    var bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-label', document.documentElement.lang === 'en' ? 'Uploading' : 'Đang tải lên');
    (button || form.lastElementChild).insertAdjacentElement('afterend', bar);
    if (button) button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'text/html');
    xhr.setRequestHeader('X-Requested-With', 'photo-upload');  // a redirect comes as X-Location
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    xhr.onload = function () {
      var next = xhr.getResponseHeader('X-Location');
      if (next) return location.assign(next);
      if (xhr.responseURL && xhr.responseURL !== form.action) return location.assign(xhr.responseURL);
      document.open();  // the same page again (e.g. the form with its errors)
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () { form.submit(); };  // the browser's own post and error page
    xhr.send(data);
  }

  document.querySelectorAll('input[type=file][data-resize]').forEach(function (input) {
    var form = input.form;
    input.addEventListener('change', function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length || !canShrink) return;
      input.setAttribute('data-resize', 'busy');
      var job = Promise.all(files.map(shrink)).then(function (out) {
        if (out.every(function (f, i) { return f === files[i]; })) return;
        var dt = new DataTransfer();
        out.forEach(function (f) { dt.items.add(f); });
        input.files = dt.files;  // fires no change event
      }).catch(function () {}).then(function () { input.setAttribute('data-resize', 'done'); });
      if (form) form._resizing = Promise.all([form._resizing, job]);
    });
    if (!form || form._watched || form.method !== 'post') return;
    form._watched = true;
    form.addEventListener('submit', function (e) {
      if (e.defaultPrevented || !(canProgress || form._resizing)) return;
      e.preventDefault();
      var button = e.submitter;
      Promise.resolve(form._resizing).then(function () {
        if (canProgress) upload(form, button);
        else form.submit();
      });
    });
  });
})();
