from django.apps import AppConfig


class TextanalysisConfig(AppConfig):
    name = "minqing.textanalysis"
    verbose_name = "民情文本分析 Text analysis"

    def ready(self) -> None:
        from minqing.cases import register_hooks
        from minqing.notify.access import register
        from minqing.textanalysis.hotspot_selectors import hot_spots_for
        from minqing.textanalysis.intake import confirm_from_form
        from minqing.textanalysis.similarity import similar_matters

        # Hot-spot alerts reach only those who may open the hot spot (VIEW_INSIGHT, scope).
        register("textanalysis.hotspot", hot_spots_for)
        # Registering a case: look-alikes first, and the chosen category as training data.
        register_hooks.add_look_alike_finder(similar_matters)
        register_hooks.add_category_listener(confirm_from_form)
