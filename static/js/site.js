/* The storefront's few behaviours, in one static file: the Content-Security-Policy allows no
   inline script or event-handler attribute, so templates mark elements with data- attributes and
   this file gives them their behaviour. */
(function () {
  "use strict";

  // Filters and sort selects submit their form as soon as they change.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });

  // An add-to-cart form's quantity can go no higher than the chosen option's units left.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-quantity-limit] select[name=sku]");
    if (!select) return;
    var option = select.selectedOptions[0], quantity = select.form.querySelector("input[name=quantity]");
    if (!option || !quantity || option.dataset.unitsLeft === undefined) return;
    var limit = Math.min(parseInt(option.dataset.unitsLeft, 10) || 0, parseInt(quantity.dataset.maxQuantity, 10) || 99);
    quantity.max = String(Math.max(limit, 1));
    if (parseInt(quantity.value, 10) > limit) quantity.value = String(Math.max(limit, 1));
  });

  // The receiving page's scan field selects its text on focus, so the next scan replaces it.
  document.addEventListener("focusin", function (event) {
    var field = event.target.closest("[data-select-on-focus]");
    if (field) field.select();
  });

  // A locked quote counts down to its expiry, then reloads to show it has lapsed.
  function countdown() {
    var lock = document.querySelector(".lock[data-expires]"), out = document.getElementById("countdown");
    if (!lock || !out) return;
    var until = Date.parse(lock.dataset.expires);
    function tick() {
      var left = Math.max(0, Math.floor((until - Date.now()) / 1000));
      out.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left > 0) setTimeout(tick, 1000); else location.reload();
    }
    tick();
  }

  // A payment page waiting for the shopper's approval asks for its status until it is done.
  function pollPayment() {
    var holder = document.querySelector("[data-status-url]");
    if (!holder) return;
    var statusUrl = holder.dataset.statusUrl;
    function poll() {
      fetch(statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (status) { if (status.done) { window.location.assign(status.next); } else { setTimeout(poll, 2000); } })
        .catch(function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 2000);
  }

  function start() {
    // An autofocused field got its focus before this script ran.
    var focused = document.activeElement;
    if (focused && focused.matches && focused.matches("[data-select-on-focus]")) focused.select();
    countdown();
    pollPayment();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
