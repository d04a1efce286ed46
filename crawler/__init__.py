"""The Scrapy project (spiders, site profiles, pipelines), the scheduler and the command line."""
