from django.urls import path

from cpps.priorities import views

app_name = "priorities"
urlpatterns = [
    path("j/<slug:slug>/priorities/", views.round_list, name="list"),
    path("j/<slug:slug>/priorities/<int:pk>/", views.round_detail, name="detail"),
    path("j/<slug:slug>/priorities/<int:pk>/vote/", views.round_vote, name="vote"),
    path("j/<slug:slug>/priorities/<int:pk>/ideas/", views.idea_seed, name="seed"),
    path("j/<slug:slug>/priorities/<int:pk>/moderate/", views.idea_moderate, name="moderate"),
]
