from . import crm_blacklist_wizard
from . import crm_classification_override
from . import crm_customer_handover
from . import crm_service_contract_renew
from . import crm_customer_handover_service_contract
from . import stock_return_picking
from . import account_move_reversal
from . import crm_customer_handover_complaint
