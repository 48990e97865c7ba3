from django.apps import AppConfig


class TextanalysisConfig(AppConfig):
    name = "minqing.textanalysis"
    verbose_name = "民情文本分析 Text analysis"
