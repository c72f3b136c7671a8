from django.urls import path

from cpps.panels import views

app_name = "panels"
PANEL = "j/<slug:slug>/panels/<int:pk>/"
urlpatterns = [
    path("j/<slug:slug>/panels/", views.panel_list, name="list"),
    path(PANEL, views.panel_report, name="report"),
    path(PANEL + "transcript.zip", views.transcript_zip, name="transcript_zip"),
    path(PANEL + "transcript/<str:name>", views.transcript_file, name="transcript_file"),
    path(PANEL + "register/", views.register, name="register"),
    path(PANEL + "manage/", views.panel_manage, name="manage"),
    path(PANEL + "manage/setup/", views.panel_setup, name="setup"),
    path(PANEL + "manage/quotas/", views.panel_quotas, name="quotas"),
    path(PANEL + "manage/quotas/upload/", views.panel_quotas_upload, name="quotas_upload"),
    path(PANEL + "manage/invitations/", views.invitations_upload, name="invitations"),
    path(PANEL + "manage/invitations/sent/", views.invitations_sent, name="invitations_sent"),
    path(PANEL + "manage/invitations/sms/", views.invitations_sms, name="invitations_sms"),
    path(PANEL + "manage/invitations/status/", views.invitation_status, name="invitation_status"),
    path(PANEL + "manage/letters.pdf", views.invitation_letters, name="letters"),
    path(PANEL + "manage/registrations/", views.registration_list, name="registrations"),
    path(PANEL + "manage/paper/", views.paper_entry, name="paper"),
    path(PANEL + "manage/freeze/", views.panel_freeze, name="freeze"),
    path(PANEL + "manage/compute/", views.panel_compute, name="compute"),
    path(PANEL + "manage/draw/", views.panel_draw, name="draw"),
    path(PANEL + "manage/withdraw/", views.panel_withdraw, name="withdraw"),
]
