/* geomap events: draw, cluster, filter, list and export the events of one map.
 *
 * The events come as one table (see geomap/render/data.py): text columns hold indices
 * into per-column tables of values, number columns hold numbers. All filtering works on
 * that one table, so the type boxes, the date range and the search apply together, and
 * the markers, the count, the table and the CSV always show the same events.
 *
 * Markers are made only for what is in view: events are binned into square cells of
 * CELL_PX screen pixels at the current zoom; a cell holding one event shows its pin
 * (and its ring or area), a cell holding more shows a cluster with the count. The DOM
 * thus holds a few hundred markers whether the map has fifty events or 100,000.
 *
 * Article text is only ever set as textContent or a DOM property, never as HTML.
 */
(function () {
  "use strict";

  var geomap = window.geomap;
  if (geomap.eventExplorer) {
    return;
  }

  var CELL_PX = 64;
  var PIN = 0, RING = 1, AREA = 2;  // the page's _draw column (style.py)
  var LIST_MAX = 50;  // events listed in a cluster's popup
  var POPUP_MARGIN = 12;  // px kept between a popup and the map's edge or a control
  // A map narrower than this (a phone, a narrow embed) opens with its panel and legend folded.
  var SMALL_WIDTH = 640;
  var FOLD_ABOVE = 0.3;
  var SHORT_HEIGHT = 500;  // a map (with its time strip) lower than this opens with the strip folded  // the share of a wider map its controls may cover at load
  // What the search box looks in: the place as written and as resolved, its region and
  // country (code and name), the actors, the type and sub-type, and the evidence sentence.
  var SEARCHED = ["place_text", "place_name", "admin1", "country_code", "actor1", "actor2", "event_type",
    "sub_event_type", "trigger_text", "evidence"];
  // Article text can be of any length (a whole page pasted as a place name): where it is shown it
  // is cut at these many characters, with a "show all" button that puts the whole text in its
  // place (in a box that scrolls). Names on the map and in tooltips are cut shorter, for good:
  // the popup has the whole text.
  var CLIP_EVIDENCE = 500, CLIP_FIELD = 120, CLIP_CELL = 80, CLIP_LABEL = 80;
  // The table's columns, by the key its header carries (layers.py: TABLE_COLUMNS); the table opens
  // sorted as the page's table is, by date (undated last).
  var SORT_KEYS = ["date", "type", "place", "country", "actors", "fatalities", "status"];
  var DEFAULT_SORT = { key: "date", dir: 1 };
  var MIN_BAR_PX = 4;  // the time strip's bars are at least this wide (gap included)
  var PLAY_MS = 900;  // play: the time strip's range steps on this often
  var STATE_DELAY_MS = 250;  // the URL hash is written this long after the last change

  function fold(s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function count(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function plural(n, word) {
    return count(n) + " " + word + (n === 1 ? "" : "s");
  }

  // Python's "{:g}" for a radius: at most six significant digits, no trailing zeros.
  function shortNumber(x) {
    return String(parseFloat(x.toPrecision(6)));
  }

  // Where text may be cut to keep at most n UTF-16 units: never inside a surrogate pair, and
  // at the last space when there is one in the last fifth.
  function clipAt(text, n) {
    if (text.length <= n) { return text.length; }
    var at = n;
    var code = text.charCodeAt(at - 1);
    if (code >= 0xd800 && code <= 0xdbff) { at -= 1; }
    var space = text.lastIndexOf(" ", at);
    return space > n * 0.8 ? space : at;
  }

  // text, cut to at most n units with an ellipsis when it is longer (for labels and tooltips).
  function cut(text, n) {
    return text.length <= n ? text : text.slice(0, clipAt(text, n - 1)) + "…";
  }

  function characters(text) {
    var n = text.length;
    for (var k = 0; k < text.length; k++) {
      var code = text.charCodeAt(k);
      if (code >= 0xdc00 && code <= 0xdfff && k > 0 && text.charCodeAt(k - 1) >= 0xd800 && text.charCodeAt(k - 1) <= 0xdbff) {
        n -= 1;
      }
    }
    return n;
  }

  // text folded as the search folds it, and for each unit of the folded text the index in
  // text of the character it came from (one more entry: text.length).
  function foldWithIndex(text) {
    var units = [], from = [];
    if (/^[\x00-\x7f]*$/.test(text)) {
      return { text: text.toLowerCase(), from: null };
    }
    for (var k = 0; k < text.length;) {
      var code = text.codePointAt(k);
      var width = code > 0xffff ? 2 : 1;
      var folded = fold(text.slice(k, k + width));
      for (var u = 0; u < folded.length; u++) {
        units.push(folded[u]);
        from.push(k);
      }
      k += width;
    }
    from.push(text.length);
    return { text: units.join(""), from: from };
  }

  // The [start, end) spans of text where `needle` is written, case and accents aside, as the
  // search matches: found with indexOf, so that no text becomes a regular expression.
  function findAll(text, needle) {
    var spans = [];
    var word = foldWithIndex(needle).text;
    if (!word || !text) { return spans; }
    var hay = foldWithIndex(text);
    var at = hay.from ? function (u) { return hay.from[u]; } : function (u) { return u; };
    for (var u = hay.text.indexOf(word); u !== -1; u = hay.text.indexOf(word, u + word.length)) {
      var start = at(u), end = at(u + word.length);
      if (end > start) { spans.push([start, end]); }
    }
    return spans;
  }

  // Append text[from, to) to el, each of `spans` in it as a <mark>: as text nodes, never markup.
  function appendMarked(el, text, from, to, spans) {
    var last = from;
    for (var s = 0; s < spans.length; s++) {
      var start = Math.max(spans[s][0], from), end = Math.min(spans[s][1], to);
      if (end <= start) { continue; }
      if (start > last) { el.appendChild(document.createTextNode(text.slice(last, start))); }
      el.appendChild(document.createElement("mark")).textContent = text.slice(start, end);
      last = end;
    }
    if (to > last) { el.appendChild(document.createTextNode(text.slice(last, to))); }
  }

  // Fill el with text (spans marked); longer than `limit`, it is cut there and a "show all"
  // button after el puts the whole text in (el then scrolls: see .geomap-expanded).
  function showText(el, text, limit, spans) {
    spans = spans || [];
    el.textContent = "";
    var end = clipAt(text, limit);
    appendMarked(el, text, 0, end, spans);
    if (end === text.length) { return; }
    el.appendChild(document.createTextNode("…"));
    var more = document.createElement("button");
    more.type = "button";
    more.className = "geomap-more";
    more.textContent = "show all (" + count(characters(text)) + " characters)";
    more.addEventListener("click", function (event) {
      event.stopPropagation();  // a table row under it opens its popup on a click
      el.textContent = "";
      appendMarked(el, text, 0, text.length, spans);
      el.classList.add("geomap-expanded");
      more.remove();
      el.dispatchEvent(new CustomEvent("geomap:expand", { bubbles: true }));
    });
    more.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.stopPropagation(); }  // nor is its Enter the row's
    });
    el.after(more);
  }

  // A CSV cell. Text that a spreadsheet would run as a formula gets a leading quote.
  // A cluster's icon: its side in px, by how many events it counts.
  function clusterSize(n) {
    return n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50;
  }

  // The box (px, around the bin's point) its mark takes: a cluster's disc, or a pin above
  // its point (a ring's dot and an area's square are smaller than a pin).
  function markBox(bin, size) {
    var x = bin.sx / bin.n * size, y = bin.sy / bin.n * size;
    if (bin.n > 1) {
      var half = clusterSize(bin.n) / 2;
      return { left: x - half, right: x + half, top: y - half, bottom: y + half };
    }
    return { left: x - 12, right: x + 12, top: y - 31, bottom: y + 1 };
  }

  // Bins whose marks would overlap (neighbouring cells' events close to their shared edge)
  // made one: no cluster hides another's count, nor a pin a count. The largest absorb first;
  // repeated while a merge moved a cluster onto another. Each bin keeps the cells it holds.
  function parted(bins, size) {
    var list = Array.from(bins.values());
    list.forEach(function (bin) { bin.cells = [bin.key]; });
    for (var pass = 0; pass < 4; pass++) {
      list.sort(function (a, b) { return b.n - a.n || a.key - b.key; });
      var kept = [], merged = false;
      var grid = new Map();  // cells of CELL_PX * 2 -> the kept bins whose point is in one
      for (var k = 0; k < list.length; k++) {
        var bin = list[k], box = markBox(bin, size);
        var gx = Math.floor(bin.sx / bin.n * size / (2 * CELL_PX)), gy = Math.floor(bin.sy / bin.n * size / (2 * CELL_PX));
        var into = null;
        for (var dx = -1; dx <= 1 && !into; dx++) {
          for (var dy = -1; dy <= 1 && !into; dy++) {
            var near = grid.get((gx + dx) + ":" + (gy + dy)) || [];
            for (var m = 0; m < near.length && !into; m++) {
              var other = markBox(near[m], size);
              if (box.left < other.right + 2 && other.left < box.right + 2 && box.top < other.bottom + 2 && other.top < box.bottom + 2) {
                into = near[m];
              }
            }
          }
        }
        if (into) {
          into.n += bin.n;
          into.sx += bin.sx;
          into.sy += bin.sy;
          if (into.type !== bin.type) { into.type = -1; }
          into.cells = into.cells.concat(bin.cells);
          merged = true;
          continue;
        }
        kept.push(bin);
        var cell = gx + ":" + gy;
        if (!grid.has(cell)) { grid.set(cell, []); }
        grid.get(cell).push(bin);
      }
      list = kept;
      if (!merged) { break; }
    }
    var out = new Map();
    list.forEach(function (bin) { out.set(bin.key, bin); });
    return out;
  }

  // A YYYY-MM-DD date as a day number (days since 1970-01-01), NaN when it is not one; and back.
  function dayOf(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 864e5 : NaN;
  }

  function dateOf(day) {
    return new Date(day * 864e5).toISOString().slice(0, 10);
  }

  function csvCell(value, isText) {
    if (value === null || value === undefined) {
      return "";
    }
    var s = String(value);
    if (isText && /^[=+\-@\t\r]/.test(s)) {
      s = "'" + s;
    }
    if (/[",\r\n]/.test(s)) {
      s = '"' + s.replace(/"/g, '""') + '"';
    }
    return s;
  }

  // The name this map's keys in the URL hash start with (see saveState).
  function stateKey(options) {
    return options.panel.replace(/-panel$/, "");
  }

  // Whether the URL hash holds only the maps' own state (or nothing): a host page's anchor
  // ("#methods") or its own parameters are not ours to rewrite, so then no map writes there.
  function hashIsOurs() {
    var keys = geomap.stateKeys;
    return window.location.hash.slice(1).split("&").every(function (part) {
      return !part || keys.some(function (key) { return part.indexOf(key + ".") === 0; });
    });
  }

  function EventExplorer(map, data, options) {
    this.map = map;
    this.data = data;
    this.options = options;
    this.rows = data.rows;
    this.col = {};
    for (var c = 0; c < data.columns.length; c++) {
      this.col[data.columns[c]] = c;
    }
    this.template = document.getElementById(options.template);
    this.panel = document.getElementById(options.panel);
    this.tablePanel = document.getElementById(options.table);
    this.circles = L.layerGroup().addTo(map);
    this.markers = L.layerGroup().addTo(map);
    this.drawn = {};  // key -> {marker, circle}
    this.bins = null;
    this.binsZoom = null;
    this.shown = new Int32Array(0);
    this.folded = {};  // column -> its table, folded for search

    this._project();
    this._bindControls();
    this._fitLayout();
    var apart = function (event) { this._fitCredits(); this._keepApart(event && event.target); }.bind(this);
    requestAnimationFrame(apart);  // once the page's credits are all in
    map.on("resize geomapcontrolresize", function () { apart(); });  // the latter: the detail note shown or hidden
    [this.panel, document.getElementById(options.legend), this.tablePanel].forEach(function (details) {
      if (details) { details.addEventListener("toggle", apart); }
    });
    map.on("popupopen", function (event) {
      var popup = this.openPopup = event.popup;
      // a pin's popup took its options when the pin was drawn: the controls may have moved since
      var fresh = this.popupOptions();
      if (fresh.maxHeight !== popup.options.maxHeight || fresh.maxWidth !== popup.options.maxWidth) {
        L.setOptions(popup, fresh);
        popup.update();
      }
      this.clearControls(popup);
    }, this);
    map.on("popupclose", function (event) { if (this.openPopup === event.popup) { this.openPopup = null; } }, this);
    // a field of the open popup shown whole: Leaflet sizes the popup again, and it is moved into view
    map.getContainer().addEventListener("geomap:expand", function (event) {
      var popup = this.openPopup;
      var content = popup && event.target.closest(".geomap-popup");
      if (!content || !popup.getElement() || !popup.getElement().contains(content)) { return; }
      popup.setContent(content);  // the same node, laid out again (a bound popup keeps it so)
      this.clearControls(popup);
    }.bind(this));
    this.stateKey = stateKey(options);
    var view = this.restoreState();
    this.filter();
    if (view) {
      map.setView(view.center, view.zoom, { animate: false });
    } else if (options.fit) {
      map.fitBounds(options.fit.bounds, { padding: options.fit.padding, maxZoom: options.fit.maxZoom, animate: false });
    }
    map.on("moveend", function () {  // bound after the fit: the view the map opens on is not written
      // (nor a move of the map resized as the time strip under it folds: geomap.js placeBelow)
      if (!map.getContainer().geomapResizing) { this.moved = true; }
      this.draw();
      if (this.inView.checked) { this.renderTable(); }
      this.saveState();
    }, this);
    this.draw();
    var container = map.getContainer();
    container.geomap = this;
    L.DomUtil.addClass(container, "geomap-ready");
    container.dispatchEvent(new CustomEvent("geomap:ready", { detail: this }));
  }

  EventExplorer.prototype = {
    // A cell of event i: text ("" when missing) for a text column, a number or null otherwise.
    value: function (i, name) {
      var c = this.col[name];
      var table = this.data.tables[c];
      var cell = this.rows[i][c];
      return table ? table[cell] : cell;
    },

    typeInfo: function (i) {
      return this.options.types[this.rows[i][this.col.event_type]];
    },

    statusKey: function (i) {
      return this.data.status_keys[this.rows[i][this.col.status]];
    },

    latLng: function (i) {
      return L.latLng(this.rows[i][this.col.lat], this.rows[i][this.col.lon]);
    },

    // "Type: place", short enough for a tooltip or a line of a list (the popup has it all).
    label: function (i) {
      var place = this.value(i, "place_name") || this.value(i, "place_text");
      return this.typeInfo(i).label + (place ? ": " + cut(place, CLIP_LABEL) : "");
    },

    // Each event's place in Web Mercator, 0..1 across the world (Leaflet's projection).
    _project: function () {
      var n = this.rows.length;
      var cLat = this.col.lat, cLon = this.col.lon;
      var max = 85.0511287798;
      this.x = new Float64Array(n);
      this.y = new Float64Array(n);
      this.placed = new Uint8Array(n);  // 0: an event the text places nowhere (listed, not drawn)
      for (var i = 0; i < n; i++) {
        if (this.rows[i][cLat] === null || this.rows[i][cLon] === null) { this.x[i] = this.y[i] = NaN; continue; }
        this.placed[i] = 1;
        var lat = Math.max(Math.min(this.rows[i][cLat], max), -max);
        var sin = Math.sin(lat * Math.PI / 180);
        this.x[i] = (this.rows[i][cLon] + 180) / 360;
        this.y[i] = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
      }
    },

    _bindControls: function () {
      var self = this;
      var panel = this.panel;
      function find(name) {
        return panel.querySelector('[data-geomap="' + name + '"]');
      }
      this.typeBoxes = Array.prototype.slice.call(panel.querySelectorAll('input[data-geomap="type"]'));
      this.dateFrom = find("date-from");
      this.dateTo = find("date-to");
      this.search = find("search");
      this.undated = find("undated");  // absent when every event has a date
      this.dateNote = find("date-note");
      this.countText = find("count");
      this.unplacedText = find("unplaced");
      var update = this.update = function () { self.filter(); self.draw(); self.saveState(); };
      this.typeBoxes.forEach(function (box) { box.addEventListener("change", update); });
      [this.dateFrom, this.dateTo].forEach(function (input) {
        input.addEventListener("input", update);
        input.addEventListener("change", update);
      });
      this.search.addEventListener("input", update);
      if (this.undated) { this.undated.addEventListener("change", update); }
      this.downloadButton = find("download");
      this.downloadButton.addEventListener("click", function () { self.downloadCsv(); });

      this._bindTime();

      var table = this.tablePanel;
      this.tableBody = table.querySelector("tbody");
      this.tableNote = table.querySelector('[data-geomap="table-note"]');
      this.tableCount = table.querySelector('[data-geomap="table-count"]');
      table.addEventListener("toggle", function () { self.renderTable(); });
      this.inView = table.querySelector('[data-geomap="in-view"]');
      this.inView.addEventListener("change", function () { self.renderTable(); self.saveState(); });
      this.sort = { key: DEFAULT_SORT.key, dir: DEFAULT_SORT.dir };
      this.headers = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));
      this.headers.forEach(function (th) {
        th.querySelector("button").addEventListener("click", function () {
          var key = th.getAttribute("data-sort");
          self.sort = { key: key, dir: self.sort.key === key ? -self.sort.dir : 1 };
          self.renderTable();
          self.saveState();
        });
      });
      function open(event) {
        var row = event.target.closest("tr");
        if (row && row.geomapIndex !== undefined) {
          self.showEvent(row.geomapIndex, true);
        }
      }
      this.tableBody.addEventListener("click", open);
      this.tableBody.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { open(event); }
      });
    },

    // On a narrow map (a phone) the panel and the legend start folded (their summaries
    // stay), so the map shows at load; on a wider one, the legend and then the panel fold
    // while the controls would cover more than FOLD_ABOVE of the map. A reader unfolds them.
    _fitLayout: function () {
      var container = this.map.getContainer();
      var narrow = container.clientWidth < SMALL_WIDTH;
      L.DomUtil[narrow ? "addClass" : "removeClass"](container, "geomap-small");
      var area = container.clientWidth * container.clientHeight;
      var controls = container.querySelectorAll(".leaflet-control-container .leaflet-control");
      var legend = document.getElementById(this.options.legend);
      [legend, this.panel].forEach(function (details) {
        if (!details) { return; }
        var covered = 0;
        for (var c = 0; c < controls.length; c++) {
          covered += controls[c].offsetWidth * controls[c].offsetHeight;
        }
        if (narrow || covered > FOLD_ABOVE * area) { details.open = false; }
      });
    },

    // Open controls never lie over each other: the panel, the legend or the table opened folds
    // those open that it would cover, and each open one is kept to the height left between it
    // and the controls above or below it (it scrolls).
    _keepApart: function (opened) {
      var container = this.map.getContainer();
      var foldable = [this.panel, document.getElementById(this.options.legend), this.tablePanel].filter(Boolean);
      function box(element) { return element.getBoundingClientRect(); }
      function across(a, b) { return a.left < b.right && b.left < a.right; }
      function over(a, b) { return across(a, b) && a.top < b.bottom && b.top < a.bottom; }
      if (opened && opened.open) {
        foldable.forEach(function (d) { if (d !== opened && d.open && over(box(d), box(opened))) { d.open = false; } });
      }
      var controls = Array.prototype.slice.call(container.querySelectorAll(".leaflet-control-container .leaflet-control"));
      foldable.forEach(function (d) {
        d.style.maxHeight = d.style.overflowY = "";
        if (!d.open) { return; }
        // d and what stands after it in its corner (below it at the top, above it at the bottom)
        var r = box(d), stack = box(d.parentNode), top = d.parentNode.classList.contains("leaflet-top");
        var after = top ? stack.bottom - r.bottom : r.top - stack.top;
        var limit = top ? container.getBoundingClientRect().bottom : container.getBoundingClientRect().top;
        controls.forEach(function (c) {
          if (c.parentNode === d.parentNode) { return; }
          var b = box(c);
          if (!b.width || !b.height || !across(stack, b)) { return; }
          if (top && b.top >= r.top) { limit = Math.min(limit, b.top - POPUP_MARGIN); }
          if (!top && b.bottom <= r.bottom) { limit = Math.max(limit, b.bottom + POPUP_MARGIN); }
        });
        var room = Math.floor((top ? limit - r.top : r.bottom - limit) - after);
        if (room < r.height) { d.style.maxHeight = Math.max(room, 40) + "px"; d.style.overflowY = "auto"; }
      });
    },

    // The credits (bottom right) and the controls at the bottom left (the scale, the legend)
    // side by side where there is room; where the credits take more than the room beside them
    // (a phone, a narrow embed), the bottom left's controls stand on them instead of under them.
    _fitCredits: function () {
      var map = this.map, container = map.getContainer();
      var credits = container.querySelector(".leaflet-control-attribution");
      // Leaflet's corner of the bottom-left controls, by its documented classes (not map._controlCorners)
      var corner = container.querySelector(".leaflet-control-container > .leaflet-bottom.leaflet-left");
      if (!credits || !corner) { return; }
      corner.style.bottom = "";
      var a = credits.getBoundingClientRect();
      var under = Array.prototype.some.call(corner.children, function (control) {
        var b = control.getBoundingClientRect();
        return b.width && b.height && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      });
      if (under) { corner.style.bottom = container.getBoundingClientRect().bottom - a.top + "px"; }
    },

    // Popup options for this map's size: never wider or taller than the map (long text scrolls).
    // On a narrow map a popup is as wide as the map, so it cannot pass beside the controls:
    // it is kept to the band between the controls at the top and those at the bottom.
    popupOptions: function () {
      var size = this.map.getSize();
      var chrome = 50;  // Leaflet's padding around a popup's content, and its border
      var height = size.y - 4 * POPUP_MARGIN - 40;
      if (size.x < SMALL_WIDTH) { height = Math.min(height, this._freeBand() - 2 * POPUP_MARGIN - 40); }
      return {
        maxWidth: Math.max(120, Math.min(360, size.x - 2 * POPUP_MARGIN - chrome)),
        minWidth: Math.max(100, Math.min(240, size.x - 2 * POPUP_MARGIN - chrome)),
        maxHeight: Math.max(120, height),
        autoPan: false  // clearControls pans instead: into the map and out from under the controls
      };
    },

    // The height of the map between the lowest control at its top and the highest at its bottom.
    _freeBand: function () {
      var container = this.map.getContainer();
      var area = container.getBoundingClientRect();
      var top = area.top, bottom = area.bottom;
      function each(selector, use) {
        Array.prototype.forEach.call(container.querySelectorAll(selector), function (control) {
          var b = control.getBoundingClientRect();
          if (b.width && b.height) { use(b); }
        });
      }
      each(".leaflet-top .leaflet-control", function (b) { top = Math.max(top, b.bottom); });
      each(".leaflet-bottom .leaflet-control", function (b) { bottom = Math.min(bottom, b.top); });
      return bottom - top;
    },

    // Pan the map so that an open popup is inside it and under none of its controls (the
    // panel, the legend, the title, the table): the smallest move that clears each control.
    clearControls: function (popup) {
      var box = popup.getElement();
      if (!box) { return; }
      var container = this.map.getContainer();
      var area = container.getBoundingClientRect();
      var r = box.getBoundingClientRect();
      var m = POPUP_MARGIN;
      var dx = 0, dy = 0;
      // into the map first (as Leaflet's autoPan), the top-left corner winning on a small map
      if (r.right + m > area.right) { dx = area.right - m - r.right; }
      if (r.left + dx - m < area.left) { dx = area.left + m - r.left; }
      if (r.bottom + m > area.bottom) { dy = area.bottom - m - r.bottom; }
      if (r.top + dy - m < area.top) { dy = area.top + m - r.top; }
      var controls = container.querySelectorAll(".leaflet-control-container .leaflet-control");
      for (var c = 0; c < controls.length; c++) {
        var b = controls[c].getBoundingClientRect();
        var left = r.left + dx, right = r.right + dx, top = r.top + dy, bottom = r.bottom + dy;
        if (!b.width || !b.height || right <= b.left || left >= b.right || bottom <= b.top || top >= b.bottom) {
          continue;
        }
        var moves = [[b.left - m - right, 0], [b.right + m - left, 0], [0, b.top - m - bottom], [0, b.bottom + m - top]]
          .filter(function (move) {
            return left + move[0] >= area.left && right + move[0] <= area.right &&
              top + move[1] >= area.top && bottom + move[1] <= area.bottom;
          });
        if (!moves.length) { continue; }  // it cannot clear this one and stay in the map
        moves.sort(function (a, b) { return Math.abs(a[0] + a[1]) - Math.abs(b[0] + b[1]); });
        dx += moves[0][0];
        dy += moves[0][1];
      }
      if (dx || dy) {
        this.map.panBy([-dx, -dy], { animate: false });
      }
    },

    // Which events pass the type boxes, the date range and the search, in table order.
    filter: function () {
      var rows = this.rows, n = rows.length, col = this.col, tables = this.data.tables;
      var typeOn = [];
      this.typeBoxes.forEach(function (box) { typeOn[Number(box.value)] = box.checked; });
      var from = this.dateFrom.value, to = this.dateTo.value;
      // An event without a date passes while "include undated" is ticked, whatever the range.
      var undatedOk = !this.undated || this.undated.checked;
      var dateOk = tables[col.event_date].map(function (d) {
        if (d === "") { return undatedOk; }
        return (!from || d >= from) && (!to || d <= to);
      });
      var reversed = from && to && from > to;
      this.dateNote.hidden = !reversed;
      this.dateNote.textContent = reversed
        ? "“from” " + from + " is after “to” " + to + ": no dated event can match. Swap them?"
        : "";
      var query = fold(this.search.value.trim());
      var matches = [];
      if (query) {
        for (var s = 0; s < SEARCHED.length; s++) {
          var name = SEARCHED[s];
          if (col[name] === undefined) { continue; }
          if (!this.folded[name]) {
            var names = this.options.countryNames || {};
            this.folded[name] = tables[col[name]].map(name === "country_code"
              ? function (cc) { return fold(cc + " " + (names[cc] || "")); }
              : fold);
          }
          matches.push([col[name], this.folded[name].map(function (v) { return v.indexOf(query) !== -1; })]);
        }
      }
      var cType = col.event_type, cDate = col.event_date;
      var shown = new Int32Array(n);
      var k = 0;
      var time = this.time, bars = time ? new Int32Array(time.nBars) : null;
      for (var i = 0; i < n; i++) {
        var row = rows[i];
        if (!typeOn[row[cType]]) { continue; }
        if (!bars && !dateOk[row[cDate]]) { continue; }
        if (query) {
          var hit = false;
          for (var m = 0; m < matches.length && !hit; m++) { hit = matches[m][1][row[matches[m][0]]]; }
          if (!hit) { continue; }
        }
        if (bars) {  // the strip counts what the other filters pass, whatever the date range
          var bar = time.bar[row[cDate]];
          if (bar >= 0) { bars[bar] += 1; }
          if (!dateOk[row[cDate]]) { continue; }
        }
        shown[k++] = i;
      }
      this.shown = shown.subarray(0, k);
      this.bins = null;
      this.countText.textContent = count(k) + " of " + plural(n, "event") + " shown";
      // the shown events the text places nowhere: counted, listed in the table, not drawn
      var unplaced = 0;
      for (var u = 0; u < k; u++) { if (!this.placed[shown[u]]) { unplaced += 1; } }
      this.unplacedText.hidden = !unplaced;
      this.unplacedText.textContent = unplaced ? " · " + count(unplaced) + " not on the map" : "";
      if (bars) { this.renderTime(bars); }
      this.renderTable();
    },

    // The time strip (time.html): its bars stand for `per` days each from the first date; a
    // drag across them (or a tap on one) sets the panel's date range, which every view
    // follows; step moves the range by its own length, play steps to the last date.
    _bindTime: function () {
      var strip = this.options.time && document.getElementById(this.options.time);
      if (!strip) { return; }
      var self = this;
      function find(name) { return strip.querySelector('[data-geomap="' + name + '"]'); }
      var first = dayOf(strip.getAttribute("data-first")), last = dayOf(strip.getAttribute("data-last"));
      var per = Number(strip.getAttribute("data-per")) || 1;
      // no bar narrower than MIN_BAR_PX: on a phone, more days a bar than the page was written with
      var width = find("histogram").clientWidth;
      if (width > 0) {
        var fewer = Math.max(per, Math.ceil((last - first + 1) / Math.max(1, Math.floor(width / MIN_BAR_PX))));
        if (fewer !== per) {
          var words = function (n) { return n === 1 ? "per day" : "per " + n + " days"; };
          var label = find("histogram").getAttribute("aria-label");
          find("histogram").setAttribute("aria-label", label.replace(words(per), words(fewer)));
          find("time-per").textContent = words(fewer);
          per = fewer;
        }
      }
      var nBars = Math.floor((last - first) / per) + 1;
      var time = this.time = {
        strip: strip, first: first, last: last, per: per, nBars: nBars,
        histogram: find("histogram"), range: find("time-range"), play: find("time-play"),
        undated: find("time-undated"), timer: null, bars: []
      };
      // each date of the table's date column: the bar it falls in (-1: undated, or not a day)
      time.bar = this.data.tables[this.col.event_date].map(function (d) {
        var day = dayOf(d);
        return isFinite(day) && day >= first && day <= last ? Math.floor((day - first) / per) : -1;
      });
      // a short map (a 400 px embed) opens with the strip folded to its line: the map keeps the room
      var container = this.map.getContainer();
      if (container.clientHeight + strip.offsetHeight < SHORT_HEIGHT) {
        strip.open = false;
        if (container.geomapFitBelow) { container.geomapFitBelow(); }  // the map its height before it is fitted
      }
      for (var b = 0; b < nBars; b++) {
        time.bars.push(L.DomUtil.create("span", "geomap-bar", time.histogram));
      }
      var setRange = function (from, to) {
        self.dateFrom.value = from === null ? "" : dateOf(Math.max(from, first));
        self.dateTo.value = to === null ? "" : dateOf(Math.min(to, last));
        self.update();
      };
      this.setTimeRange = setRange;
      // brushing: the bars from the one pressed to the one under the pointer
      var barAt = function (clientX) {
        var box = time.histogram.getBoundingClientRect();
        return Math.max(0, Math.min(nBars - 1, Math.floor((clientX - box.left) / box.width * nBars)));
      };
      var start = null, pending = null;
      var brush = function (b) {
        var lo = Math.min(start, b), hi = Math.max(start, b);
        setRange(first + lo * per, first + (hi + 1) * per - 1);
      };
      time.histogram.addEventListener("pointerdown", function (event) {
        if (event.button !== 0) { return; }
        self.stopPlay();
        start = barAt(event.clientX);
        time.histogram.setPointerCapture(event.pointerId);
        brush(start);
        event.preventDefault();
      });
      time.histogram.addEventListener("pointermove", function (event) {
        if (start === null) { return; }
        var b = barAt(event.clientX);
        if (pending === null) {
          requestAnimationFrame(function () { if (start !== null) { brush(pending); } pending = null; });
        }
        pending = b;
      });
      var release = function (event) {
        if (start === null) { return; }
        brush(barAt(event.clientX));
        start = null;
      };
      time.histogram.addEventListener("pointerup", release);
      // from the keyboard: the arrows move the range a bar (to the first or last bar when there is
      // none), Shift and the arrows move its end, Home and End go to the first and the last bar
      time.histogram.addEventListener("keydown", function (event) {
        var range = self.timeRange(), dir = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
        if (event.key === "Home" || event.key === "End") {
          var b = event.key === "Home" ? 0 : nBars - 1;
          setRange(first + b * per, first + (b + 1) * per - 1);
        } else if (dir && event.shiftKey && !range.all) {
          setRange(range.from, Math.max(range.from + per - 1, range.to + dir * per));
        } else if (dir) {
          self.stepTime(dir, per);
        } else {
          return;
        }
        self.stopPlay();
        event.preventDefault();
      });
      time.histogram.addEventListener("pointercancel", function () { start = null; });
      find("time-step").addEventListener("click", function () { self.stopPlay(); self.stepTime(1); });
      find("time-back").addEventListener("click", function () { self.stopPlay(); self.stepTime(-1); });
      find("time-all").addEventListener("click", function () { self.stopPlay(); setRange(null, null); });
      time.play.addEventListener("click", function () {
        if (time.timer !== null) { self.stopPlay(); return; }
        var range = self.timeRange();
        if (range.all || range.to >= last) { setRange(first, first + per - 1); }  // from the start, a bar at a time
        time.play.textContent = "\u275a\u275a pause";
        time.timer = setInterval(function () { if (!self.stepTime(1)) { self.stopPlay(); } }, PLAY_MS);
      });
      if (time.undated) {
        time.undated.addEventListener("change", function () {
          self.undated.checked = time.undated.checked;  // the panel's switch: one filter, two places
          self.update();
        });
      }
    },

    // The date range the panel's boxes hold, in days (open ends: the first and last dates).
    timeRange: function () {
      var time = this.time;
      var from = this.dateFrom.value ? dayOf(this.dateFrom.value) : time.first;
      var to = this.dateTo.value ? dayOf(this.dateTo.value) : time.last;
      return { from: from, to: to, all: from <= time.first && to >= time.last };
    },

    // Move the date range by its own length, or by `days` (dir 1: later, -1: earlier); false at the end.
    stepTime: function (dir, days) {
      var time = this.time, range = this.timeRange();
      if (range.all) {  // no range yet: the first (or last) bar
        if (dir > 0) { this.setTimeRange(time.first, time.first + time.per - 1); }
        else { this.setTimeRange(time.first + (time.nBars - 1) * time.per, time.last); }
        return true;
      }
      var width = days || Math.max(1, range.to - range.from + 1);
      if ((dir > 0 && range.to >= time.last) || (dir < 0 && range.from <= time.first)) { return false; }
      this.setTimeRange(range.from + dir * width, range.to + dir * width);
      return true;
    },

    stopPlay: function () {
      var time = this.time;
      if (!time || time.timer === null) { return; }
      clearInterval(time.timer);
      time.timer = null;
      time.play.textContent = "\u25b6 play";
    },

    // The strip's bars (their heights: events per bar, of the highest), which are in the range,
    // the range in words, and the undated switch as the panel's.
    renderTime: function (counts) {
      var time = this.time, range = this.timeRange();
      var highest = 0;
      for (var b = 0; b < counts.length; b++) { highest = Math.max(highest, counts[b]); }
      for (b = 0; b < counts.length; b++) {
        var bar = time.bars[b];
        var from = time.first + b * time.per, to = Math.min(time.last, from + time.per - 1);
        bar.style.height = (highest ? 100 * counts[b] / highest : 0) + "%";
        L.DomUtil[from <= range.to && to >= range.from ? "addClass" : "removeClass"](bar, "geomap-in-range");
        bar.title = (time.per === 1 ? dateOf(from) : dateOf(from) + " to " + dateOf(to)) + ": " + plural(counts[b], "event");
      }
      var days = range.to - range.from + 1;
      time.range.textContent = range.all ? "all dates"
        : (days === 1 ? dateOf(range.from) : dateOf(range.from) + " to " + dateOf(range.to) + " (" + plural(days, "day") + ")");
      if (time.undated) { time.undated.checked = this.undated.checked; }
    },

    // The shown events binned into cells of CELL_PX at zoom z.
    _binAt: function (z) {
      var scale = 256 * Math.pow(2, z) / CELL_PX;
      var width = Math.ceil(scale);
      var bins = new Map();
      var cType = this.col.event_type;
      for (var k = 0; k < this.shown.length; k++) {
        var i = this.shown[k];
        if (!this.placed[i]) { continue; }
        var cx = Math.floor(this.x[i] * scale), cy = Math.floor(this.y[i] * scale);
        var key = cy * width + cx;
        var bin = bins.get(key);
        var type = this.rows[i][cType];
        if (bin === undefined) {
          bins.set(key, { key: key, cx: cx, cy: cy, n: 1, sx: this.x[i], sy: this.y[i], first: i, type: type });
        } else {
          bin.n += 1;
          bin.sx += this.x[i];
          bin.sy += this.y[i];
          if (bin.type !== type) { bin.type = -1; }
        }
      }
      return parted(bins, 256 * Math.pow(2, z));
    },

    // Show what is in view: pins for lone events, clusters for the rest. Markers that
    // stay are kept (an open popup stays open); the others go.
    draw: function () {
      var map = this.map;
      var z = map.getZoom();
      if (this.bins === null || this.binsZoom !== z) {
        this.bins = this._binAt(z);
        this.binsZoom = z;
      }
      var size = 256 * Math.pow(2, z);
      var view = map.getPixelBounds();
      var west = view.min.x - CELL_PX, east = view.max.x + CELL_PX;
      var north = view.min.y - CELL_PX, south = view.max.y + CELL_PX;
      var wanted = {};
      var self = this;
      this.bins.forEach(function (bin) {
        var px = bin.sx / bin.n * size, py = bin.sy / bin.n * size;
        if (px < west || px > east || py < north || py > south) { return; }
        var key = bin.n === 1 ? "e" + bin.first : "c" + z + ":" + bin.key + ":" + bin.n + ":" + bin.type;
        wanted[key] = bin;
      });
      for (var key in this.drawn) {
        if (!Object.prototype.hasOwnProperty.call(wanted, key)) {
          this.markers.removeLayer(this.drawn[key].marker);
          if (this.drawn[key].circle) { this.circles.removeLayer(this.drawn[key].circle); }
          delete this.drawn[key];
        }
      }
      Object.keys(wanted).forEach(function (key) {
        if (!self.drawn[key]) {
          var bin = wanted[key];
          self.drawn[key] = bin.n === 1 ? self._eventMarker(bin.first) : self._clusterMarker(bin, z, size);
          self.markers.addLayer(self.drawn[key].marker);
          if (self.drawn[key].circle) { self.circles.addLayer(self.drawn[key].circle); }
        }
      });
    },

    _eventMarker: function (i) {
      var self = this;
      var type = this.typeInfo(i);
      var status = this.statusKey(i);
      var kind = this.rows[i][this.col._draw];
      var classes = ["geomap-event", type.cls, "geomap-status-" + status];
      var circle = null, outline = null;
      if (kind !== PIN) {
        classes.push("geomap-approx");
        var circleOptions = {
          radius: this.rows[i][this.col._radius_km] * 1000,
          color: type.color,
          weight: kind === RING ? 2 : 1.5,
          opacity: 0.85,
          fill: false,
          dashArray: status === "reported" ? null : "6 4",
          interactive: false,
          className: "geomap-uncertainty " + (kind === RING ? "geomap-ring " : "geomap-area ") + type.cls
        };
        if (kind === RING) { circle = L.circle(this.latLng(i), circleOptions); }
        else { outline = L.circle(this.latLng(i), circleOptions); }
      }
      var label = this.label(i);
      var icon;
      if (kind === PIN) {
        icon = { html: this.options.pin, iconSize: [24, 32], iconAnchor: [12, 31], popupAnchor: [0, -28] };
      } else if (kind === RING) {
        icon = { html: this.options.dot, iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -6] };
      } else {
        // a region or a country: a square at its point and its name, as text
        var mark = document.createElement("span");
        mark.className = "geomap-area-mark";
        mark.appendChild(document.createElement("span")).className = "geomap-area-square";
        mark.appendChild(document.createElement("span")).textContent =
          cut(this.value(i, "place_name") || this.value(i, "place_text") || type.label, CLIP_LABEL);
        icon = { html: mark, iconSize: null, iconAnchor: [8, 8], popupAnchor: [0, -6] };
        classes.push("geomap-area-event");
      }
      icon.className = classes.join(" ");
      var marker = L.marker(this.latLng(i), { icon: L.divIcon(icon), title: label, alt: label, riseOnHover: true });
      marker.bindPopup(function () { return self.popup(i); }, this.popupOptions());
      marker.geomapIndex = i;
      if (outline) {
        // the area's extent: outlined while the pointer is on its mark or its popup is open
        var show = function () { if (!self.circles.hasLayer(outline)) { self.circles.addLayer(outline); } };
        var hide = function () { if (!marker.isPopupOpen()) { self.circles.removeLayer(outline); } };
        marker.on("mouseover focus popupopen", show);
        marker.on("mouseout blur", hide);
        marker.on("popupclose", function () { self.circles.removeLayer(outline); });
        marker.on("remove", function () { self.circles.removeLayer(outline); });
      }
      return { marker: marker, circle: circle };
    },

    _clusterMarker: function (bin, z, size) {
      var self = this;
      var px = clusterSize(bin.n);
      var typeClass = bin.type >= 0 ? this.options.types[bin.type].cls : "geomap-mixed";
      var at = this.map.unproject([bin.sx / bin.n * size, bin.sy / bin.n * size], z);
      var marker = L.marker(at, {
        icon: L.divIcon({
          className: "geomap-cluster " + typeClass,
          html: "<span>" + bin.n + "</span>",
          iconSize: [px, px]
        }),
        title: plural(bin.n, "event") + ": click to see them",
        riseOnHover: true
      });
      marker.on("click", function () { self.openCluster(bin, z, at); });
      return { marker: marker, circle: null };
    },

    // Zoom into a cluster; where zooming cannot part its events, list them.
    openCluster: function (bin, z, at) {
      var scale = 256 * Math.pow(2, z) / CELL_PX;
      var width = Math.ceil(scale);
      var cells = new Set(bin.cells);
      var members = [];
      for (var k = 0; k < this.shown.length; k++) {
        var i = this.shown[k];
        if (this.placed[i] && cells.has(Math.floor(this.y[i] * scale) * width + Math.floor(this.x[i] * scale))) {
          members.push(i);
        }
      }
      var self = this;
      var bounds = L.latLngBounds(members.map(function (i) { return self.latLng(i); }));
      var padding = L.point(48, 48);
      var target = Math.min(this.map.getBoundsZoom(bounds, false, padding), this.map.getMaxZoom());
      if (target > z) {
        this.map.fitBounds(bounds, { padding: padding, maxZoom: target });
        return;
      }
      var box = L.DomUtil.create("div", "geomap-popup geomap-list");
      L.DomUtil.create("h3", "", box).textContent = plural(members.length, "event") + " here";
      var list = L.DomUtil.create("ul", "", box);
      members.slice(0, LIST_MAX).forEach(function (i) {
        var button = L.DomUtil.create("button", self.typeInfo(i).cls, L.DomUtil.create("li", "", list));
        button.type = "button";
        L.DomUtil.create("span", "geomap-swatch", button);
        var date = self.value(i, "event_date") || "no date";
        button.appendChild(document.createTextNode(date + " · " + self.label(i)));
        button.addEventListener("click", function () { self.showEvent(i, false); });
      });
      if (members.length > LIST_MAX) {
        L.DomUtil.create("p", "geomap-note", box).textContent =
          "and " + count(members.length - LIST_MAX) + " more: narrow the filters, or see the table.";
      }
      L.popup(this.popupOptions()).setLatLng(at).setContent(box).openOn(this.map);
    },

    // Open event i's popup at its place (from the table or a cluster's list); returns the popup.
    // An event without a place opens at the centre of the map, its popup saying so.
    showEvent: function (i, zoomTo) {
      var at = this.placed[i] ? this.latLng(i) : this.map.getCenter();
      if (zoomTo && this.placed[i]) {
        this.map.setView(at, Math.max(this.map.getZoom(), 7), { animate: false });
      }
      return L.popup(this.popupOptions()).setLatLng(at).setContent(this.popup(i)).openOn(this.map);
    },

    // Event i's popup, filled into the page's <template>.
    popup: function (i) {
      var self = this;
      var labels = this.options.labels;
      var node = this.template.content.firstElementChild.cloneNode(true);
      function slot(name) { return node.querySelector('[data-slot="' + name + '"]'); }
      function drop(name) {
        Array.prototype.forEach.call(node.querySelectorAll('[data-slot="' + name + '"], [data-row="' + name + '"]'),
          function (el) { el.remove(); });
      }
      var v = function (name) { return self.value(i, name); };
      node.classList.add(this.typeInfo(i).cls);
      slot("event_type").textContent = cut(v("event_type") || this.typeInfo(i).label, CLIP_FIELD);
      if (v("sub_event_type")) { slot("sub_event_type").textContent = "· " + cut(v("sub_event_type"), CLIP_FIELD); } else { drop("sub_event_type"); }

      var status = v("status").toLowerCase();
      var date = v("event_date"), timePrecision = v("time_precision");
      var when;
      if (!date) {
        when = status === "planned" ? "planned (no date)" : "date unknown";
      } else {
        when = status === "planned" ? "planned for " + date : date;
        if (labels.time[timePrecision]) { when += " (" + labels.time[timePrecision] + ")"; }
      }
      slot("date").textContent = when;
      slot("status").textContent = labels.status[status] || v("status") || "status unknown";
      if (status !== "reported") { slot("status").classList.add("geomap-flag"); }

      var resolved = [v("place_name"), v("admin1"), v("country_code")].filter(Boolean).join(", ") || "unresolved";
      var corrected = v("corrected");  // "corrected by analyst: <note>", or empty
      var place = slot("place");
      place.appendChild(document.createTextNode("“"));
      showText(place.appendChild(document.createElement("span")), v("place_text") || "(not written)", CLIP_FIELD);
      place.appendChild(document.createTextNode("” → "));
      showText(place.appendChild(document.createElement("span")), resolved, CLIP_FIELD);
      if (corrected) {
        place.appendChild(document.createTextNode(" ("));
        showText(place.appendChild(document.createElement("span")), corrected, CLIP_FIELD);
        place.appendChild(document.createTextNode(")"));
      }
      // the words of the legend for how the event is drawn (style.py: DRAW_MEANINGS, draw_kind)
      var kind = this.rows[i][this.col._draw], radius = v("_radius_km");
      var precision = labels.draw[kind];
      if (kind !== PIN && radius > 0) { precision += ", within about " + shortNumber(radius) + " km"; }
      if (kind === PIN && radius > 5) { precision += ", a place about " + shortNumber(radius) + " km across"; }
      if (v("geo_precision") === null) { precision += " (precision not stated)"; }
      slot("precision").textContent = this.placed[i]
        ? precision + " (" + v("lat").toFixed(4) + ", " + v("lon").toFixed(4) + ")"
        : "no place: not on the map (the text names none that was found)";

      var actors = [v("actor1"), v("actor2")].filter(Boolean);
      if (actors.length) {
        actors.forEach(function (actor, k) {
          if (k) { slot("actors").appendChild(document.createTextNode(" → ")); }
          showText(slot("actors").appendChild(document.createElement("span")), actor, CLIP_FIELD);
        });
      } else {
        drop("actors");
      }
      var fatalities = v("fatalities");
      slot("fatalities").textContent = fatalities === null ? "not stated" : String(fatalities);

      var evidence = v("evidence");
      if (!evidence) {
        drop("evidence");
      } else {
        showText(slot("evidence"), evidence, CLIP_EVIDENCE, findAll(evidence, v("place_text")));
      }

      var url = v("source_url"), title = v("source_title");
      var linkable = this.data.linkable[this.rows[i][this.col.source_url]] === 1;
      if (linkable) {
        slot("source_link").href = url;
        showText(slot("source_link"), title || url, CLIP_FIELD);
        drop("source_text");
      } else {
        drop("source_link");
        showText(slot("source_text"), title || url || "unknown source", CLIP_FIELD);
      }
      if (title && url && !linkable) {
        var note = slot("source_note");
        note.appendChild(document.createTextNode(" ("));
        showText(note.appendChild(document.createElement("span")), url, CLIP_FIELD);
        note.appendChild(document.createTextNode(")"));
      } else {
        drop("source_note");
      }
      var sources = v("n_sources");
      slot("n_sources").textContent = sources === null ? "number of sources unknown" : "reported by " + plural(sources, "source");
      return node;
    },

    // The filters, the sort, the "only events in view" switch and (once it has moved) the map's
    // centre and zoom, in the page's URL hash, so that a link reopens the same view: this map's
    // keys start with its name ("geomap.q=kursk&geomap.z=9"), those of other maps on the page stay.
    // Written a moment after the last change (typing, panning), not on each; never over a host
    // page's own anchor (hashIsOurs).
    saveState: function () {
      clearTimeout(this.stateTimer);
      this.stateTimer = setTimeout(this._writeState.bind(this), STATE_DELAY_MS);
    },

    _writeState: function () {
      if (!hashIsOurs()) { return; }
      var params = new URLSearchParams(window.location.hash.slice(1));
      var key = this.stateKey;
      var own = [];
      params.forEach(function (value, name) { if (name.indexOf(key + ".") === 0) { own.push(name); } });
      own.forEach(function (name) { params.delete(name); });
      function set(name, value) { params.set(key + "." + name, value); }
      var query = this.search.value.trim();
      if (query) { set("q", query); }
      var on = this.typeBoxes.filter(function (box) { return box.checked; });
      if (on.length !== this.typeBoxes.length) { set("t", on.map(function (box) { return box.value; }).join(",")); }
      if (this.dateFrom.value) { set("from", this.dateFrom.value); }
      if (this.dateTo.value) { set("to", this.dateTo.value); }
      if (this.undated && !this.undated.checked) { set("undated", "0"); }
      if (this.sort.key !== DEFAULT_SORT.key || this.sort.dir !== DEFAULT_SORT.dir) {
        set("sort", (this.sort.dir < 0 ? "-" : "") + this.sort.key);
      }
      if (this.inView.checked) { set("view", "1"); }
      if (this.moved) {
        var centre = this.map.getCenter();
        set("c", centre.lat.toFixed(5) + "," + centre.lng.toFixed(5));
        set("z", String(this.map.getZoom()));
      }
      var hash = params.toString();
      var url = window.location.href.split("#")[0] + (hash ? "#" + hash : "");
      if (url !== window.location.href) { window.history.replaceState(window.history.state, "", url); }
    },

    // Set the controls from the URL hash (see saveState); the map's view written there, or null.
    restoreState: function () {
      var params = new URLSearchParams(window.location.hash.slice(1));
      var key = this.stateKey;
      function get(name) { return params.get(key + "." + name); }
      if (get("q") !== null) { this.search.value = get("q"); }
      if (get("t") !== null) {
        var on = get("t").split(",");
        this.typeBoxes.forEach(function (box) { box.checked = on.indexOf(box.value) !== -1; });
      }
      if (get("from") !== null) { this.dateFrom.value = get("from"); }
      if (get("to") !== null) { this.dateTo.value = get("to"); }
      if (this.undated && get("undated") === "0") { this.undated.checked = false; }
      var sort = get("sort");
      if (sort !== null) {
        var dir = sort.charAt(0) === "-" ? -1 : 1;
        var name = sort.replace(/^-/, "");
        if (SORT_KEYS.indexOf(name) !== -1) { this.sort = { key: name, dir: dir }; }
      }
      if (get("view") === "1") { this.inView.checked = true; }
      var centre = (get("c") || "").split(",").map(Number), zoom = Number(get("z"));
      this.moved = false;
      if (centre.length === 2 && centre.every(isFinite) && get("z") !== null && isFinite(zoom) &&
          Math.abs(centre[0]) <= 90 && Math.abs(centre[1]) <= 360) {
        this.moved = true;  // a view from a link: kept in the hash as it is
        return { center: L.latLng(centre[0], centre[1]), zoom: zoom };
      }
      return null;
    },

    // The country's name (from the gazetteer), or its code.
    country: function (i) {
      var cc = this.value(i, "country_code");
      return (this.options.countryNames || {})[cc] || cc;
    },

    actors: function (i) {
      return [this.value(i, "actor1"), this.value(i, "actor2")].filter(Boolean).join(" → ");
    },

    // The value event i is sorted by in a column of the table ("" or null: missing, listed last).
    sortValue: function (i, key) {
      switch (key) {
      case "date": return this.value(i, "event_date");
      case "type": return this.typeInfo(i).label;
      case "place": return this.placed[i] ? this.value(i, "place_name") || this.value(i, "place_text") : "";
      case "country": return this.country(i);
      case "actors": return this.actors(i);
      case "fatalities": return this.value(i, "fatalities");
      default: return this.value(i, "status");
      }
    },

    // The events the table lists: the shown ones (in view, with the switch on), in its sort order.
    tableEvents: function (sorted) {
      var list = this.shown;
      if (this.inView.checked) {
        var bounds = this.map.getBounds(), self = this;
        list = Array.prototype.filter.call(list, function (i) { return self.placed[i] && bounds.contains(self.latLng(i)); });
      }
      var sort = this.sort;
      if (!sorted || (sort.key === DEFAULT_SORT.key && sort.dir === DEFAULT_SORT.dir)) { return list; }
      var keys = new Map(), self2 = this;
      Array.prototype.forEach.call(list, function (i) { keys.set(i, self2.sortValue(i, sort.key)); });
      var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
      return Array.prototype.slice.call(list).sort(function (a, b) {
        var ka = keys.get(a), kb = keys.get(b);
        var ma = ka === null || ka === "", mb = kb === null || kb === "";
        if (ma || mb) { return ma === mb ? a - b : (ma ? 1 : -1); }  // missing values last, either way
        var order = typeof ka === "number" ? ka - kb : collator.compare(ka, kb);
        return order ? order * sort.dir : a - b;
      });
    },

    // The table of shown events: the first maxTableRows of them, while it is open.
    renderTable: function () {
      var sort = this.sort;
      this.headers.forEach(function (th) {
        var key = th.getAttribute("data-sort");
        if (key === sort.key) { th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending"); }
        else { th.removeAttribute("aria-sort"); }
      });
      var open = this.tablePanel.open;
      var list = this.tableEvents(open);
      var n = list.length;
      this.tableCount.textContent = count(n);
      // the CSV holds what the table lists: the button says so while that is only the events in view
      this.downloadButton.textContent = "Download CSV" + (this.inView.checked ? " (" + count(n) + " in view)" : "");
      if (!open) {
        return;
      }
      var limit = Math.min(n, this.options.maxTableRows);
      var body = document.createDocumentFragment();
      function missing(cell, text) {
        var span = cell.appendChild(document.createElement("span"));
        span.className = "geomap-missing";
        span.textContent = text;
      }
      for (var k = 0; k < limit; k++) {
        var i = list[k];
        var fatalities = this.value(i, "fatalities");
        var row = document.createElement("tr");
        row.className = this.typeInfo(i).cls;
        row.tabIndex = 0;
        row.geomapIndex = i;
        var date = row.appendChild(document.createElement("td"));
        if (this.value(i, "event_date")) { date.textContent = this.value(i, "event_date"); } else { missing(date, "undated"); }
        var cells = [
          this.typeInfo(i).label,
          this.placed[i] ? this.value(i, "place_name") || this.value(i, "place_text") : null,
          this.country(i),
          this.actors(i),
          fatalities === null ? "" : String(fatalities),
          this.value(i, "status")
        ];
        for (var c = 0; c < cells.length; c++) {
          var cell = row.appendChild(document.createElement("td"));
          if (cells[c] === null) {  // no place: marked, with the words the text used, if any
            missing(cell, "no place");
            if (this.value(i, "place_text")) {
              cell.appendChild(document.createTextNode(" "));
              showText(cell.appendChild(document.createElement("span")), "“" + this.value(i, "place_text") + "”", CLIP_CELL);
            }
          } else {
            showText(cell.appendChild(document.createElement("span")), cells[c], CLIP_CELL);
          }
        }
        body.appendChild(row);
      }
      this.tableBody.textContent = "";
      this.tableBody.appendChild(body);
      var what = this.inView.checked ? "shown events in view" : "shown events";
      this.tableNote.textContent = n > limit
        ? "The first " + count(limit) + " of " + count(n) + " " + what + "; the CSV has all " + count(n) + "."
        : (n === 0 ? (this.shown.length ? "No shown event is in view." : "No event matches the filters.") : "");
    },

    // The events the table lists (the shown ones, only those in view with its switch on, in its
    // sort order) as CSV text: the events table's columns, in its order.
    csv: function () {
      var list = this.tableEvents(true);
      var columns = [];
      for (var c = 0; c < this.data.columns.length; c++) {
        if (this.data.columns[c].charAt(0) !== "_") { columns.push(c); }
      }
      var tables = this.data.tables;
      var lines = [columns.map(function (c) { return this.data.columns[c]; }, this).join(",")];
      for (var k = 0; k < list.length; k++) {
        var row = this.rows[list[k]];
        lines.push(columns.map(function (c) {
          return tables[c] ? csvCell(tables[c][row[c]], true) : csvCell(row[c], false);
        }).join(","));
      }
      return lines.join("\n") + "\n";
    },

    downloadCsv: function () {
      var blob = new Blob([this.csv()], { type: "text/csv;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = this.options.csvName;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
    }
  };

  // The table a large map carries deflated and base64-encoded, as the JSON it was.
  function inflate(base64) {
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  // The events of `map` from the table in `element`: drawn at once from JSON, or once
  // inflated (a promise of the explorer) from a deflated table.
  geomap.stateKeys = [];
  geomap.eventExplorer = function (map, element, options) {
    geomap.stateKeys.push(stateKey(options));  // at once: a map still inflating owns its keys too
    if (element.getAttribute("data-encoding") !== "deflate-base64") {
      return new EventExplorer(map, JSON.parse(element.textContent), options);
    }
    var panel = document.getElementById(options.panel);
    if (typeof DecompressionStream === "undefined") {
      panel.querySelector('[data-geomap="count"]').textContent =
        "This browser cannot open this map's events: it needs Chrome 80, Firefox 113, Safari 16.4 or later.";
      return null;
    }
    panel.querySelector('[data-geomap="count"]').textContent = "Opening the events…";
    return inflate(element.textContent).then(function (data) { return new EventExplorer(map, data, options); });
  };
})();
