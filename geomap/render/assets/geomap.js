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

  // Move a block of HTML that the page already holds into a Leaflet control.
  function addControl(map, elementId, position) {
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

  window.geomap = {
    build: BUILD,
    L: window.L,
    embeddedTileLayer: function (tiles, options) { return new EmbeddedTileLayer(tiles, options); },
    countryOutlines: countryOutlines,
    addControl: addControl
  };
})();
