from django.urls import path

from cpps.audit import views

app_name = "audit"
urlpatterns = [path("<slug:slug>/record/", views.audit_log, name="log")]
