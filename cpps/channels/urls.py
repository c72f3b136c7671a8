from django.urls import path

from cpps.channels import views

app_name = "channels"
urlpatterns = [
    path("j/<slug:slug>/processes/<int:pk>/text-and-calls/", views.routes, name="routes"),
    path(
        "j/<slug:slug>/processes/<int:pk>/text-and-calls/<int:route>/remove/",
        views.route_remove,
        name="route_remove",
    ),
    path("hooks/sms/", views.sms_webhook, name="sms_shared"),
    path("hooks/sms/<int:pk>/", views.sms_webhook, name="sms"),
    path("hooks/voice/<int:pk>/", views.voice_webhook, name="voice"),
    # Addresses deployed numbers may still point at (each capability used to have its own).
    path("hooks/sms/processes/<int:pk>/", views.sms_webhook, name="sms_processes_alias"),
    path("j/<slug:slug>/panels/<int:pk>/register/sms/", views.sms_webhook, name="sms_panel_alias"),
]
