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
    path(
        "<slug:slug>/members/requests/<int:pk>/approve/",
        views.membership_request_approve_view,
        name="membership_request_approve",
    ),
    path(
        "<slug:slug>/members/requests/<int:pk>/refuse/",
        views.membership_request_refuse_view,
        name="membership_request_refuse",
    ),
]
