"""The base table every django-tables2 table in the app subclasses."""

import django_tables2 as tables


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0"}
        empty_text = "Nothing matches these filters."
        per_page = 25
