from django.urls import path

from . import views

app_name = "vendors"

urlpatterns = [
    path("", views.MSPListView.as_view(), name="list"),
    path("new/", views.msp_create, name="create"),
    path("<int:pk>/", views.msp_detail, name="detail"),
    path("<int:pk>/edit/", views.msp_edit, name="edit"),
    path("<int:pk>/archive/", views.msp_archive, name="archive"),
    path("<int:pk>/restore/", views.msp_restore, name="restore"),
    path("<int:pk>/contacts/new/", views.contact_form, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_form, name="contact_edit"),
    path("<int:pk>/references/new/", views.reference_form, name="reference_create"),
    path("<int:pk>/references/<int:reference_pk>/edit/", views.reference_form, name="reference_edit"),
    path("<int:pk>/references/<int:reference_pk>/archive/", views.reference_archive, name="reference_archive"),
]
