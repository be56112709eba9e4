from . import crm_cross_sell_segment
