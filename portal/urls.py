from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/new-link/", views.new_link, name="new_link"),
    path("welcome/<uidb64>/<token>/", views.welcome, name="welcome"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/response/", views.response_edit, name="response"),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
    path("<int:pk>/documents/<int:document_pk>/remove/", views.document_remove, name="document_remove"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/outcome/letter.html", views.outcome_letter, name="outcome_letter"),
    path("<int:pk>/questions/", views.ask, name="ask"),
    path("<int:pk>/addenda/<int:addendum_pk>/read/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/withdraw/", views.response_withdraw, name="withdraw"),
    path("<int:pk>/decline/", views.invitation_decline, name="decline"),
]
