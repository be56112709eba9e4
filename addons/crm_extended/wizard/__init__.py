from . import crm_blacklist_wizard
from . import crm_classification_override
from . import crm_customer_handover
from . import stock_return_picking
from . import account_move_reversal
from . import crm_customer_handover_complaint
