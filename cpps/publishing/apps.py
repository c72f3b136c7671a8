from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "cpps.publishing"
    label = "publishing"
