"""``opdcwatch probe``: from a site's address to a working profile (see ``crawler.probe.site``)."""
