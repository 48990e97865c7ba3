from django.apps import AppConfig


class DemoConfig(AppConfig):
    # No models, so nothing of this app is ever shown in the admin (and needs no verbose name).
    name = "minqing.demo"
    label = "demo"
