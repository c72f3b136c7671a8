from django.urls import path

from cpps.accountability import views

app_name = "accountability"
P = "j/<slug:slug>/accountability/"
C = P + "commitments/<int:pk>/"
urlpatterns = [
    path(P, views.board, name="board"),
    path(P + "areas/<str:code>/", views.area_board, name="area_board"),
    path(P + "commitments.csv", views.export_csv, name="export_csv"),
    path(P + "commitments.json", views.export_json, name="export_json"),
    path(P + "charter/", views.charter, name="charter"),
    path(P + "charter/new/", views.charter_new, name="charter_new"),
    path(P + "charter/<int:pk>/sign/", views.charter_sign, name="charter_sign"),
    path(P + "owners/new/", views.owner_new, name="owner_new"),
    path(P + "commitments/new/", views.commitment_new, name="commitment_new"),
    path(C, views.commitment_detail, name="commitment"),
    path(C + "revise/", views.commitment_revise, name="commitment_revise"),
    path(C + "vote/", views.commitment_vote, name="commitment_vote"),
    path(C + "respond/", views.commitment_respond, name="commitment_respond"),
    path(C + "withdraw/", views.commitment_withdraw, name="commitment_withdraw"),
    path(C + "propose/", views.commitment_propose, name="commitment_propose"),
    path(C + "progress/", views.commitment_progress, name="commitment_progress"),
    path(P + "scorecards/<int:pk>/", views.scorecard_take_part, name="scorecard"),
    path(P + "scorecards/<int:pk>/results/", views.scorecard_results, name="scorecard_results"),
]
