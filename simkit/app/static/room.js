(function () {
  "use strict";
  var page = document.querySelector(".simkit-page[data-page]");
  if (!page) return;
  var busy = page.querySelector(".simkit-busy"), notice = page.querySelector(".simkit-notice");
  var busyText = page.getAttribute("data-busy");

  function fmt(input) {
    var v = Number(input.value), f = input.getAttribute("data-fmt") || "";
    var m = /^\.(\d+)([f%])$/.exec(f);
    if (m && m[2] === "%") return (v * 100).toFixed(Number(m[1])) + "%";
    if (m) return v.toFixed(Number(m[1]));
    return String(v);
  }
  function values() {
    var out = {};
    page.querySelectorAll("[data-control]").forEach(function (box) {
      var name = box.getAttribute("data-control"), kind = box.getAttribute("data-kind");
      var el = box.querySelector("input, select");
      if (kind === "number") out[name] = Number(el.value);
      else if (kind === "bool") out[name] = el.checked;
      else if (kind === "one") out[name] = el.selectedIndex;
      else out[name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.index; });
    });
    return out;
  }
  function setBusy(on) {
    busy.textContent = on ? busyText : "";
    busy.classList.toggle("simkit-busy-on", on);
  }
  var current = null;  // the request whose answer the page waits for
  var shown = {};  // the HTML each output shows, as last sent
  function apply(outputs) {
    Object.keys(outputs).forEach(function (name) {
      // What did not change (lesson 10's scorecard when the quota moves) is left alone:
      // no parsing, layout and painting again for the same HTML.
      if (shown[name] === outputs[name]) return;
      var box = page.querySelector('[data-output="' + name + '"] .widget-html-content');
      if (box) { box.innerHTML = outputs[name]; shown[name] = outputs[name]; }
    });
  }
  function send() {
    // A newer move wins: the request still waiting is given up (its charts are not drawn).
    if (current) current.abort();
    var mine = new AbortController();
    current = mine;
    setBusy(true);
    var body = {lang: page.getAttribute("data-lang"), values: values()};
    var seed = page.getAttribute("data-seed");
    if (seed) body.seed = Number(seed);
    var done = false;
    function line(text) {
      if (!text.trim() || mine !== current) return;
      var j = JSON.parse(text);
      if (j.error) { notice.textContent = j.error; } else { notice.textContent = ""; }
      if (j.outputs) apply(j.outputs);
      if (j.done) done = true;
    }
    fetch("/api/" + page.getAttribute("data-page"), {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body), credentials: "same-origin", signal: mine.signal
    }).then(function (r) {
      if (!r.ok) {
        return r.json().then(function (j) { notice.textContent = j.error || ""; done = true; });
      }
      // The numbers come first (one line), the charts in a second line.
      var reader = r.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { line(buffer); return; }
          buffer += decoder.decode(chunk.value, {stream: true});
          var parts = buffer.split("\n");
          buffer = parts.pop();
          parts.forEach(line);
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      if (e && e.name === "AbortError") return;
      notice.textContent = page.getAttribute("data-error");
    }).then(function () {
      if (mine === current) { current = null; setBusy(false); }
    });
  }
  page.querySelectorAll("[data-control] input, [data-control] select").forEach(function (el) {
    if (el.type === "range") {
      var out = el.parentNode.querySelector(".widget-readout");
      el.addEventListener("input", function () { out.textContent = fmt(el); });
    }
    el.addEventListener("change", send);
  });
  // A control moved before this script was running (a slow network, a busy laptop)
  // left no event behind: its value differs from the page's, so ask for its numbers now.
  var moved = Array.prototype.some.call(
    page.querySelectorAll("[data-control] input, [data-control] select"), function (el) {
      if (el.type === "range") {
        el.parentNode.querySelector(".widget-readout").textContent = fmt(el);
        return el.value !== el.defaultValue;
      }
      if (el.type === "checkbox") return el.checked !== el.defaultChecked;
      return Array.prototype.some.call(el.options, function (o) {
        return o.selected !== o.defaultSelected; });
    });
  if (moved) send();
  page.querySelectorAll(".simkit-lang button").forEach(function (b) {
    b.addEventListener("click", function () {
      var lang = b.getAttribute("data-lang");
      if (lang === page.getAttribute("data-lang")) return;
      var q = {lang: lang, v: JSON.stringify(values())};
      var seed = page.getAttribute("data-seed");
      if (seed) q.seed = seed;
      // The tab open (a table behind the chart: lessons 4, 7, 10) stays open in the other language.
      var tab = page.querySelector(".simkit-tab-radio:checked");
      if (tab && tab !== page.querySelector(".simkit-tab-radio")) q.tab = tab.value;
      location.href = "/" + page.getAttribute("data-page") + "?" + new URLSearchParams(q).toString();
    });
  });
})();
