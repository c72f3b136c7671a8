from django.urls import path

from cpps.jurisdictions import views

app_name = "jurisdictions"
urlpatterns = [
    path("<slug:slug>/areas/<str:code>/", views.area_detail, name="area"),
    path("<slug:slug>/members/", views.members, name="members"),
    path(
        "<slug:slug>/members/<int:pk>/remove/",
        views.membership_revoke_view,
        name="membership_revoke",
    ),
]
