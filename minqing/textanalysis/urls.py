"""民情分析 pages under /insight/ (namespace "insight"). Each feature keeps its own module."""

from minqing.textanalysis import hotspot_urls, keyword_urls, model_urls, similar_urls

app_name = "insight"
urlpatterns = [
    *hotspot_urls.urlpatterns,
    *keyword_urls.urlpatterns,
    *model_urls.urlpatterns,
    *similar_urls.urlpatterns,
]
