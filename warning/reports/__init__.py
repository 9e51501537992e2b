"""Periodic reports for officials (issue 18): notifications of a month,
quarter or year by member, sector and measure type; the zone's exports
covered by open measures per market and sector with the top measures by
value at stake; twelve months of trends as charts. ``data`` computes them
from storage (counting as :mod:`warning.review.numbers` does), ``xlsx``
writes one sheet per table, ``html`` a printable page. This package may
import ``warning.storage``, ``warning.review``, ``warning.levels.factors``,
``classifiers`` and ``notifications.chart``-style matplotlib helpers.
"""
