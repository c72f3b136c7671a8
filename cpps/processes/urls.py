from django.urls import path

from cpps.processes import views

app_name = "processes"
urlpatterns = [
    path("j/<slug:slug>/", views.jurisdiction_home, name="jurisdiction_home"),
    path("j/<slug:slug>/processes/new/", views.process_create, name="create"),
    path("j/<slug:slug>/processes/<int:pk>/", views.process_detail, name="detail"),
    path("j/<slug:slug>/processes/<int:pk>/agenda/", views.process_edit, name="edit"),
    path("j/<slug:slug>/processes/<int:pk>/state/", views.process_state, name="state"),
]
