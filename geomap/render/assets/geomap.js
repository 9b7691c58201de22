/* geomap: the Leaflet glue of an offline events map. Needs Leaflet 1.9 loaded first.
 *
 * Everything an article wrote reaches this file as JSON string values (escaped by
 * the Python side) and is only ever put into the page as text, or as popup HTML
 * that the Python side built from an autoescaping template.
 */
(function () {
  "use strict";

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

  // Add one marker per event (and an uncertainty circle where the place is vague)
  // to `group`. `style` carries the event type's css class, colour and pin markup.
  function addEvents(group, events, style) {
    events.forEach(function (e) {
      var classes = ["geomap-event", style.cls, "geomap-status-" + e.status];
      if (e.radius_m > 0) {
        classes.push("geomap-approx");
        L.circle([e.lat, e.lon], {
          radius: e.radius_m,
          color: style.color,
          weight: 1.5,
          opacity: 0.8,
          fillColor: style.color,
          fillOpacity: 0.12,
          dashArray: e.status === "reported" ? null : "6 4",
          interactive: false,
          className: "geomap-uncertainty " + style.cls
        }).addTo(group);
      }
      var marker = L.marker([e.lat, e.lon], {
        icon: L.divIcon({
          className: classes.join(" "),
          html: style.pin,
          iconSize: [24, 32],
          iconAnchor: [12, 31],
          popupAnchor: [0, -28]
        }),
        title: e.label,
        alt: e.label,
        riseOnHover: true
      });
      marker.bindPopup(e.popup, { maxWidth: 360, minWidth: 240, autoPanPadding: [24, 24] });
      marker.geomapEvent = e;  // for later plugins (time slider, search)
      marker.addTo(group);
    });
    return group;
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
    embeddedTileLayer: function (tiles, options) { return new EmbeddedTileLayer(tiles, options); },
    addEvents: addEvents,
    addControl: addControl
  };
})();
