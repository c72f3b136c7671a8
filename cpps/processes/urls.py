from django.urls import path

from cpps.processes import views

app_name = "processes"
urlpatterns = [
    path("j/<slug:slug>/processes/new/", views.process_create, name="create"),
    path("j/<slug:slug>/processes/<int:pk>/", views.process_detail, name="detail"),
    path("j/<slug:slug>/processes/<int:pk>/agenda/", views.process_edit, name="edit"),
    path("j/<slug:slug>/processes/<int:pk>/state/", views.process_state, name="state"),
    path("j/<slug:slug>/processes/<int:pk>/links/", views.process_links, name="links"),
    path(
        "j/<slug:slug>/processes/<int:pk>/participants/",
        views.process_participants,
        name="participants",
    ),
    path("take-part/about-you/", views.about_you, name="about_you"),
    path("take-part/<str:token>/", views.take_part, name="take_part"),
]
