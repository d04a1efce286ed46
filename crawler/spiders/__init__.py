"""The one generic, profile-driven spider (see :mod:`crawler.spiders.site`)."""
