from django.apps import AppConfig


class TextanalysisConfig(AppConfig):
    name = "minqing.textanalysis"
    verbose_name = "民情文本分析 Text analysis"

    def ready(self) -> None:
        from minqing.notify.access import register
        from minqing.textanalysis.hotspot_selectors import hot_spots_for

        # Hot-spot alerts reach only those who may open the hot spot (VIEW_INSIGHT, scope).
        register("textanalysis.hotspot", hot_spots_for)
