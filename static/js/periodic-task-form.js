// The admin's periodic task form: say in words when the chosen crontab runs.
// django-celery-beat ships this as an inline script, which the Content-Security-Policy refuses.
(function () {
  "use strict";
  var $ = django.jQuery;
  var readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var help = $(".field-crontab .help");
  var original = help.text().trim();

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var words = readable[$("#id_crontab").val()] || "";
    help.text(original).append("<br>").append(document.createTextNode("Translation: " + words));
  });
})();
