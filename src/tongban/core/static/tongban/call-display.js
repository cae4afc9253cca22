// Progressive enhancement for a centre's call display: poll the small state endpoint with the
// last ETag (the server answers 304 while nothing changed), redraw the list of calls, and
// announce a new call in both languages through the aria-live region. Without this file the
// page reloads itself (a <meta http-equiv="refresh"> inside <noscript>).
(function () {
  "use strict";
  var main = document.querySelector("main[data-state]");
  if (!main || !window.fetch) { return; }
  var body = main.querySelector("[data-calls]");
  var announce = main.querySelector("[data-announce]");
  var every = Math.max(1, parseInt(main.getAttribute("data-poll"), 10) || 3) * 1000;
  var etag = null;
  var newest = null;
  var first = body.querySelector("tr.newest");
  if (first) { newest = first.textContent; }
  var say = function (template, call) {
    return (template || "").replace("{ticket}", call.ticket).replace("{window}", call.window);
  };
  var draw = function (calls) {
    var rows = document.createDocumentFragment();
    calls.forEach(function (call, index) {
      var row = document.createElement("tr");
      if (index === 0) { row.className = "newest"; }
      var ticket = document.createElement("td");
      ticket.className = "ticket";
      ticket.textContent = call.ticket;
      var place = document.createElement("td");
      place.className = "window";
      place.textContent = call.window;
      row.appendChild(ticket);
      row.appendChild(place);
      rows.appendChild(row);
    });
    if (!calls.length) { return; }
    body.textContent = "";
    body.appendChild(rows);
    var key = calls[0].ticket + calls[0].window + calls[0].calls;
    if (announce && key !== newest) {
      announce.textContent = say(main.getAttribute("data-say-zh"), calls[0]) + " · " + say(main.getAttribute("data-say-en"), calls[0]);
    }
    newest = key;
  };
  var poll = function () {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(main.getAttribute("data-state"), { headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag");
          return response.json().then(function (state) { draw(state.calls); });
        }
        return null;
      })
      .catch(function () { /* try again at the next tick */ })
      .then(function () { window.setTimeout(poll, every); });
  };
  window.setTimeout(poll, every);
})();
