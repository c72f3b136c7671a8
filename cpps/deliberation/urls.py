from django.urls import path

from cpps.deliberation import views

app_name = "deliberation"
C = "j/<slug:slug>/conversations/<int:pk>/"
urlpatterns = [
    path(C, views.conversation, name="conversation"),
    path(C + "vote/", views.vote, name="vote"),
    path(C + "results/", views.results, name="results"),
    path(C + "results/analyse/", views.analyse_now, name="analyse"),
    path(C + "setup/", views.setup, name="setup"),
    path(C + "moderate/", views.moderate, name="moderate"),
    path(C + "paper/", views.paper, name="paper"),
    path(C + "paper/ballots.pdf", views.ballots_pdf, name="ballots"),
    path(C + "paper/<str:code>/resolve/", views.paper_resolve, name="paper_resolve"),
    path(C + "polis/", views.interchange_page, name="interchange"),
    path(C + "polis/export.zip", views.polis_export, name="export"),
]
