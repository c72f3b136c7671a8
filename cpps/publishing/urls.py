from django.urls import path

from cpps.publishing import views

app_name = "publishing"
urlpatterns = [
    path("j/<slug:slug>/data/", views.catalogue, name="catalogue"),
    path("j/<slug:slug>/data/datapackage.json", views.datapackage, name="datapackage"),
    path("j/<slug:slug>/data/<slug:name>.csv", views.dataset_csv, name="dataset_csv"),
    path("j/<slug:slug>/data/<slug:name>.json", views.dataset_json, name="dataset_json"),
    path("j/<slug:slug>/feed.atom", views.feed, name="feed"),
]
