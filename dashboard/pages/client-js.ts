/**
 * The small vanilla scripts of the pages: live updates from the Server-Sent Events stream (the server renders
 * the changed fields' HTML, the page only swaps it in) and the controls, which ask for a confirmation and post
 * to the bot's operate endpoint with the header the server requires of every POST.
 */

export const LIVE_SCRIPT = `<script>
(function () {
  var live = document.getElementById('live');
  var es = new EventSource('/events/bots');
  es.onmessage = function (e) {
    var d = JSON.parse(e.data);
    live.textContent = d.error ? 'live: ' + d.error : 'live ' + new Date(d.at).toISOString().slice(11, 19) + ' UTC';
    (d.bots || []).forEach(function (b) {
      document.querySelectorAll('[data-bot="' + b.workflowId + '"]').forEach(function (scope) {
        Object.keys(b.fields).forEach(function (k) {
          scope.querySelectorAll('[data-field="' + k + '"]').forEach(function (el) {
            if (el.innerHTML !== b.fields[k]) el.innerHTML = b.fields[k];
          });
        });
      });
    });
    document.dispatchEvent(new CustomEvent('bots-update', { detail: d }));
  };
  es.onerror = function () { live.textContent = 'live: reconnecting'; };
})();
</script>`;

export const CONTROLS_SCRIPT = `<script>
(function () {
  function post(url, body, out) {
    out.textContent = '...';
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-dashboard': '1' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { out.textContent = r.ok ? (j.message || 'done') : 'refused: ' + j.error; }); })
      .catch(function (err) { out.textContent = 'failed: ' + err.message; });
  }
  document.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-post]');
    if (!b) return;
    if (!window.confirm(b.dataset.confirm)) return;
    post(b.dataset.post, JSON.parse(b.dataset.body), document.getElementById(b.dataset.out || 'control-result'));
  });
})();
</script>`;
