"""Customer value statistics for crm_analytics, in plain Python.

Nothing here imports Odoo: the functions take numpy arrays (one row per
customer, built by one SQL aggregate) and return numpy arrays, so that they
can be tested and benchmarked on their own. The Odoo models read in bulk,
call them and write in bulk.

- :mod:`.rfm`: quintile scores with a documented tie rule and the 11 RFM segments;
- :mod:`.btyd`: BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma (Fader & Hardie
  2013) maximum likelihood fits, predictions and discounted lifetime value;
- :mod:`.loyalty`: persistence, stability, spend trend, share of wallet;
- :mod:`.composite`: churn risk levels and the weighted value score 0-100.
"""

from . import btyd, composite, loyalty, rfm
