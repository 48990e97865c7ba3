"""The layer order of MinQing's apps, lowest first: who may import whom.

A module imports from its own app and from apps in lower layers, never from a higher one;
apps in one layer (siblings) may use one another one way only, never in a circle. Imports
inside functions count as well: an import deferred to run time is still a dependency.
`tests/test_architecture_layers.py` holds the code to this order, and the documentation is
written from it.

Why this order, from the ground up:

- `lib`: helpers that know no app (ID numbers, masking, images, paging, public text).
- `audit`: the append-only log that every write and every refusal goes to.
- `org`: the tree of places, the staff and their roles; everything above is scoped by it.
  It counts households and residents under a place without knowing the household
  registry, which names its rows to it (`org.population`). It has no pages of its own.
- `kit`: the UI building blocks: the one permission guard, form styling and the one
  ValidationError-to-form mapping, the admin base classes, and panel slots. It needs org's
  roles; every app with pages needs it.
- `households`: the household registry and the liaison network.
- `notify`: the outbox. Who may open what a message is about is registered with it by the
  apps that own the objects (`notify.access`).
- `cases`: the matters residents raise and their handling.
- `textanalysis`, `portal`, `fieldwork`: built on cases (analysis of the matters; the
  public portal and board; visits, diaries and talk days). The portal's public board shows
  fieldwork's public schedule, so portal uses fieldwork, never the other way round.
- `web`, `demo`: the top. `web` holds the home page, the navigation, the pages of org (the
  tree, the staff directory) and the admin of the apps below the kit; `demo` fills a
  database with a fictional county.

The project's own modules (settings, urls, wsgi, gunicorn_conf, __main__) wire all apps
together and stand above every layer.

Pages that combine apps are composed where the higher app can see the lower one: a higher
app adds a panel to a lower app's page through a slot the lower app declares
(`kit.panels`: the case page, a household's page), or registers a function with a lower
app's registry from its AppConfig.ready() (`cases.register_hooks`, `notify.access`,
`org.population`); pages made only of others' parts live in `web`. An app never imports
the views of an app above it.
"""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("lib",),
    ("audit",),
    ("org",),
    ("kit",),
    ("households",),
    ("notify",),
    ("cases",),
    ("textanalysis", "portal", "fieldwork"),
    ("web", "demo"),
)

# The modules directly under minqing/ (settings.py, urls.py, ...): above every layer.
PROJECT = "project"


def layer_of(app: str) -> int:
    """The index of `app`'s layer in LAYERS; the project's modules above them all."""
    if app == PROJECT:
        return len(LAYERS)
    for index, apps in enumerate(LAYERS):
        if app in apps:
            return index
    raise KeyError(f"{app!r} is in no layer: add it to minqing.layers.LAYERS")
