from django.contrib import admin
from django.urls import include, path

from scoring.views import portfolio

from . import views

admin.site.site_header = "MSP Evaluator administration"
admin.site.site_title = "MSP Evaluator admin"

urlpatterns = [
    path("", portfolio.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("vendors/", include("vendors.urls")),
    path("evaluations/", include("scoring.urls")),
    path("notifications/", include("notifications.urls")),
    path("bid-room/", include("portal.urls")),
    path("admin/", admin.site.urls),
]
