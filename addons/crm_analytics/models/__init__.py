from . import crm_score_config
from . import crm_customer_score
from . import crm_customer_score_snapshot
from . import res_partner
from . import sale_order
from . import account_move
from . import res_company
from . import crm_customer_score_sources
