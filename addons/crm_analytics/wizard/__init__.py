from . import crm_cross_sell_segment
from . import crm_customer_segment_activity
from . import crm_customer_segment_mailing
