from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "cpps.channels"
    label = "channels"
