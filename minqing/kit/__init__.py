"""The UI kit: the building blocks every app's pages and admin are made of.

The permission guard (`guards.requires`), form styling and the one mapping of a service's
ValidationError onto a form (`forms`), the admin base classes (`admin`), and panel slots,
through which an app higher in the layer order adds a section to a lower app's page
(`panels`).

The kit sits just above `org` in the layer order (minqing.layers): it needs org's roles
and scoping, and every app above uses it. It knows no app above org, so it holds no page
of its own; the home page, the navigation and the pages of org itself are `web`'s.
"""
