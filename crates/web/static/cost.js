// While the text is typed, ask the server what it costs (the same figures as "Preview cost").
(function () {
  var body = document.getElementById('c-body'), list = document.getElementById('c-list');
  var out = document.getElementById('live-cost'), timer = null;
  function ask() {
    var q = new URLSearchParams({ body: body.value, list_id: list.value });
    fetch('/notify/cost?' + q.toString(), { credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (html) { out.innerHTML = html; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(ask, 250); }
  body.addEventListener('input', later);
  list.addEventListener('change', later);
})();
