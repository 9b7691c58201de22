/* geomap: the Leaflet glue of an events map. Needs Leaflet 1.9 loaded first.
 *
 * Defines window.geomap once per page and Leaflet: a page holding several geomap maps
 * (embedded fragments) runs this file several times, and only the first run counts.
 * Everything an article wrote reaches the page as JSON data and is only ever put into
 * it as text (textContent, never innerHTML).
 */
(function () {
  "use strict";

  var BUILD = "__GEOMAP_BUILD__";  // replaced by a hash of these files when a map is written
  if (window.geomap && window.geomap.build === BUILD && window.geomap.L === window.L) {
    return;
  }

  // A tile layer whose tiles are data: URIs carried in the page. A tile that is not
  // embedded is cut out of its nearest embedded ancestor, scaled up, so zooming past
  // the embedded detail shows a blurrier map instead of holes or errors.
  var EmbeddedTileLayer = L.TileLayer.extend({
    initialize: function (tiles, options) {
      this._embedded = tiles;
      L.TileLayer.prototype.initialize.call(this, "", options);
    },

    createTile: function (coords, done) {
      var tile = document.createElement("div");
      var size = this.getTileSize();
      var k = 0;
      var key = null;
      while (coords.z - k >= 0) {
        var candidate = (coords.z - k) + "/" + (coords.x >> k) + "/" + (coords.y >> k);
        if (Object.prototype.hasOwnProperty.call(this._embedded, candidate)) {
          key = candidate;
          break;
        }
        k += 1;
      }
      tile.style.overflow = "hidden";
      if (key === null) {
        L.Util.requestAnimFrame(L.Util.bind(done, this, null, tile));
        return tile;
      }
      var img = document.createElement("img");
      img.alt = "";
      img.setAttribute("role", "presentation");
      img.style.position = "absolute";
      img.style.width = (size.x << k) + "px";
      img.style.height = (size.y << k) + "px";
      img.style.left = -(coords.x - ((coords.x >> k) << k)) * size.x + "px";
      img.style.top = -(coords.y - ((coords.y >> k) << k)) * size.y + "px";
      img.onload = function () { done(null, tile); };
      img.onerror = function (err) { done(err, tile); };
      img.src = "data:image/png;base64," + this._embedded[key];
      tile.appendChild(img);
      return tile;
    }
  });

  // Country borders: thin lines under everything else, not clickable.
  function countryOutlines(data, options) {
    var layer = L.geoJSON(data, {
      interactive: false,
      style: function () {
        return {
          color: options.color,
          weight: options.weight,
          opacity: options.opacity,
          fill: false,
          className: "geomap-outline"
        };
      }
    });
    layer.on("add", function () { layer.bringToBack(); });
    return layer;
  }

  // Rivers, coasts and lake shores (geomap/render/waterways.py): lines in their own pane,
  // over the tiles and under the borders, the areas and the events; not clickable.
  function waterLines(map, data, styles) {
    var pane = map.getPane("geomap-water") || map.createPane("geomap-water");
    pane.style.zIndex = 350;
    pane.style.pointerEvents = "none";
    return L.geoJSON(data, {
      interactive: false,
      pane: "geomap-water",
      style: function (feature) {
        var kind = feature.properties.kind, style = styles[kind] || {};
        return {
          color: style.color,
          weight: style.weight,
          opacity: style.opacity,
          fill: false,
          className: "geomap-water geomap-water-" + kind
        };
      }
    });
  }

  // Place names (geomap/render/places.py): rows of [name, lat, lon, first zoom], drawn as
  // text in their own pane above the areas and below the events. Only those in view at
  // the current zoom are in the DOM. A note says where the embedded basemap's detail ends.
  function placeLabels(map, data, options) {
    var pane = map.getPane("geomap-places") || map.createPane("geomap-places");
    pane.style.zIndex = 450;
    pane.style.pointerEvents = "none";
    var rows = data.rows;
    var shown = {};
    var group = L.layerGroup();
    var note = L.control({ position: "bottomleft" });
    note.onAdd = function () {
      var div = L.DomUtil.create("div", "geomap-detail-note leaflet-control");
      div.setAttribute("role", "note");
      return div;
    };
    note.addTo(map);
    var noteDiv = note.getContainer();
    function update() {
      var z = map.getZoom();
      var view = map.getBounds().pad(0.2);
      var wanted = {};
      if (map.hasLayer(group)) {
        for (var i = 0; i < rows.length; i++) {
          var row = rows[i];
          if (row[3] <= z && view.contains([row[1], row[2]])) { wanted[i] = true; }
        }
      }
      for (var key in shown) {
        if (!wanted[key]) { group.removeLayer(shown[key]); delete shown[key]; }
      }
      Object.keys(wanted).forEach(function (key) {
        if (shown[key]) { return; }
        var row = rows[key];
        var label = document.createElement("span");
        label.className = "geomap-place-name";
        label.textContent = row[0];
        var icon = L.divIcon({ className: "geomap-place", html: label, iconSize: null, iconAnchor: [3, 8] });
        shown[key] = L.marker([row[1], row[2]], { icon: icon, pane: "geomap-places", interactive: false, keyboard: false });
        group.addLayer(shown[key]);
      });
      var past = z > options.nativeZoom;
      // well past it the enlarged tiles are a blur: fade them so that the names and borders read
      L.DomUtil[z > options.nativeZoom + 1 ? "addClass" : "removeClass"](map.getContainer(), "geomap-past-detail");
      var changed = noteDiv.hidden !== !past;
      noteDiv.hidden = !past;
      noteDiv.textContent = past
        ? "Basemap detail ends at zoom " + options.nativeZoom + " (shown enlarged). " +
          (rows.length ? "Names: GeoNames places around the events only." : "") +
          " Street level needs a map made with --online-tiles."
        : "";
      // the bottom left's stack grew or shrank: the explorer keeps the open controls apart again
      if (changed) { map.fire("geomapcontrolresize"); }
    }
    group.on("add remove", function () { setTimeout(update, 0); });
    map.on("zoomend moveend", update);
    map.whenReady(update);
    return group;
  }

  // Move a block of HTML that the page already holds into a Leaflet control.
  // A control at `position`: a Leaflet corner, or "below": under the map, outside it (the time
  // strip), the map made that much shorter so that nothing it draws lies under the strip.
  function addControl(map, elementId, position) {
    if (position === "below") { return placeBelow(map, elementId); }
    var control = L.control({ position: position });
    control.onAdd = function () {
      var div = document.getElementById(elementId);
      div.hidden = false;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control.addTo(map);
  }

  // The element under the map's container, in the same parent (the page's body, a fragment's
  // root), which gives the map all of its height but the element's (--geomap-below; the
  // element is hidden, and takes none, in a clean figure and in print).
  function placeBelow(map, elementId) {
    var element = document.getElementById(elementId);
    var container = map.getContainer(), holder = container.parentNode;
    element.hidden = false;
    holder.insertBefore(element, container.nextSibling);
    container.geomapBelow = element;
    L.DomUtil.addClass(holder, "geomap-has-below");
    var fit = container.geomapFitBelow = function () {
      var height = element.offsetHeight + "px";
      if (holder.style.getPropertyValue("--geomap-below") === height) { return; }
      holder.style.setProperty("--geomap-below", height);
      container.geomapResizing = true;  // the explorer's moveend: not the reader's move
      try { map.invalidateSize({ pan: false }); } finally { container.geomapResizing = false; }
    };
    if (typeof ResizeObserver !== "undefined") { new ResizeObserver(fit).observe(element); }
    fit();
    return element;
  }

  // Fit the map's events into the part of the map that its visible controls leave free:
  // each corner's controls are kept clear of sideways or up and down, whichever of the
  // sixteen ways gives the closest view (then the most room). For a figure (a clean
  // snapshot, a print), where nothing can be moved out of the way by hand.
  function fitClear(container, margin) {
    var explorer = container.geomap;
    if (!explorer || !explorer.options.fit) { return; }
    if (container.geomapFitBelow) { container.geomapFitBelow(); }  // the strip under it hidden: a taller map
    var map = explorer.map, fit = explorer.options.fit;
    var m = margin === undefined ? 8 : margin;
    var area = container.getBoundingClientRect();
    var corners = {};
    ["top left", "top right", "bottom left", "bottom right"].forEach(function (corner) {
      var box = { w: 0, h: 0 };
      var holder = container.querySelector(".leaflet-" + corner.replace(" ", ".leaflet-"));
      Array.prototype.forEach.call(holder ? holder.children : [], function (control) {
        var r = control.getBoundingClientRect();
        if (!r.width || !r.height) { return; }
        box.w = Math.max(box.w, corner.indexOf("left") >= 0 ? r.right - area.left : area.right - r.left);
        box.h = Math.max(box.h, corner.indexOf("top") >= 0 ? r.bottom - area.top : area.bottom - r.top);
      });
      corners[corner] = box;
    });
    // how far the drawn marks reach past their points (a pin up, a region's name to the right)
    var reach = { top: 0, right: 0, bottom: 0, left: 0 };
    var icons = container.querySelectorAll(".leaflet-marker-icon.geomap-event, .leaflet-marker-icon.geomap-cluster");
    Array.prototype.forEach.call(icons, function (icon) {
      var at = map.layerPointToContainerPoint(L.DomUtil.getPosition(icon));
      var r = icon.getBoundingClientRect();
      reach.left = Math.max(reach.left, at.x - (r.left - area.left));
      reach.right = Math.max(reach.right, r.right - area.left - at.x);
      reach.top = Math.max(reach.top, at.y - (r.top - area.top));
      reach.bottom = Math.max(reach.bottom, r.bottom - area.top - at.y);
    });
    var bounds = L.latLngBounds(fit.bounds);
    var best = null;
    for (var way = 0; way < 16; way++) {
      var inset = { top: 0, right: 0, bottom: 0, left: 0 };
      ["top left", "top right", "bottom left", "bottom right"].forEach(function (corner, k) {
        var box = corners[corner], parts = corner.split(" ");
        if (!box.w) { return; }
        if (way & (1 << k)) { inset[parts[1]] = Math.max(inset[parts[1]], box.w); }
        else { inset[parts[0]] = Math.max(inset[parts[0]], box.h); }
      });
      Object.keys(inset).forEach(function (side) { inset[side] += reach[side]; });
      var room = L.point(area.width - inset.left - inset.right - 2 * m, area.height - inset.top - inset.bottom - 2 * m);
      if (room.x < 50 || room.y < 50) { continue; }
      var zoom = map.getBoundsZoom(bounds, false, L.point(inset.left + inset.right + 2 * m, inset.top + inset.bottom + 2 * m));
      var score = zoom * 1e7 + room.x * room.y;
      if (!best || score > best.score) { best = { score: score, inset: inset }; }
    }
    if (!best) { return; }
    map.fitBounds(bounds, {
      paddingTopLeft: [best.inset.left + m, best.inset.top + m],
      paddingBottomRight: [best.inset.right + m, best.inset.bottom + m],
      maxZoom: fit.maxZoom,
      animate: false
    });
  }

  // Printing (geomap.css, @media print): each map at a size that fits A4 and Letter, its
  // legend unfolded, its events fitted clear of the title and the legend, and its table of
  // events unfolded after it (moved out of the map while printing, back afterwards). The
  // html element's geomap-printing class gives the map its print size before the browser
  // switches to print, so that Leaflet measures the size it is printed at.
  var printing = null;
  var printMedia = window.matchMedia ? window.matchMedia("print") : null;
  function beforePrint() {
    if (printing) {  // printing again while in print media (a print preview, a second PDF): fit anew
      printing.forEach(function (state) { state.map.invalidateSize({ pan: false }); fitClear(state.container); });
      return;
    }
    printing = [];
    document.documentElement.classList.add("geomap-printing");
    Array.prototype.forEach.call(document.querySelectorAll(".leaflet-container.geomap-ready"), function (container) {
      var explorer = container.geomap;
      if (!explorer || !explorer.map) { return; }
      var map = explorer.map;
      var legend = container.querySelector(".geomap-legend");
      var table = container.querySelector(".geomap-table");
      var strip = container.geomapBelow;
      var state = { container: container, map: map, center: map.getCenter(), zoom: map.getZoom(),
        legend: legend, legendOpen: legend && legend.open, table: table, strip: strip, stripOpen: strip && strip.open };
      printing.push(state);
      if (legend) { legend.open = true; }
      if (strip) { strip.open = true; }  // the time strip prints unfolded, under the map
      if (table) {
        state.tableOpen = table.open;
        state.parent = table.parentNode;
        state.next = table.nextSibling;
        var host = container.closest(".geomap-embed") || container;
        if (strip && strip.parentNode === host.parentNode) { host = strip; }  // after the time strip
        host.parentNode.insertBefore(table, host.nextSibling);
        table.classList.add("geomap-printed-table");
        table.open = true;
        if (typeof explorer.renderTable === "function") { explorer.renderTable(); }
      }
      map.invalidateSize({ pan: false });
      fitClear(container);
    });
  }
  function afterPrint() {
    // still in print media (an emulated one: a PDF made by a headless browser): stay printed
    if (!printing || (printMedia && printMedia.matches)) { return; }
    document.documentElement.classList.remove("geomap-printing");
    printing.forEach(function (state) {
      if (state.legend) { state.legend.open = state.legendOpen; }
      if (state.strip) { state.strip.open = state.stripOpen; }
      if (state.table) {
        state.table.classList.remove("geomap-printed-table");
        state.parent.insertBefore(state.table, state.next);
        state.table.open = state.tableOpen;
      }
      state.map.invalidateSize({ pan: false });
      state.map.setView(state.center, state.zoom, { animate: false });
    });
    printing = null;
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  if (printMedia && printMedia.addEventListener) {
    printMedia.addEventListener("change", function (event) { (event.matches ? beforePrint : afterPrint)(); });
  }

  window.geomap = {
    build: BUILD,
    L: window.L,
    embeddedTileLayer: function (tiles, options) { return new EmbeddedTileLayer(tiles, options); },
    countryOutlines: countryOutlines,
    waterLines: waterLines,
    placeLabels: placeLabels,
    addControl: addControl,
    fitClear: fitClear
  };
})();
