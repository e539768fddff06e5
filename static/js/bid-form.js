// Show only the amounts the chosen pricing model needs, and the retained
// internal cost only for fully managed bids. The server checks the same rules.
(function () {
  "use strict";
  var form = document.querySelector("[data-bid-form]");
  if (!form) return;
  var pricing = form.querySelector("[name=pricing_model]");
  var model = form.querySelector("[name=model]");

  function wrapper(input) {
    return input.closest(".mb-3") || input.parentElement;
  }

  function update() {
    form.querySelectorAll("[data-pricing-models]").forEach(function (input) {
      var needed = input.dataset.pricingModels.split(" ").indexOf(pricing.value) !== -1;
      wrapper(input).hidden = !needed;
    });
    form.querySelectorAll("[data-bid-models]").forEach(function (input) {
      var shown = !model || input.dataset.bidModels.split(" ").indexOf(model.value) !== -1;
      wrapper(input).hidden = !shown;
    });
    form.querySelectorAll("[data-bid-section]").forEach(function (section) {
      section.hidden = model && section.dataset.bidSection !== model.value;
    });
  }

  pricing.addEventListener("change", update);
  if (model) model.addEventListener("change", update);
  update();
})();
