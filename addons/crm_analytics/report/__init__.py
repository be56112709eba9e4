from . import crm_classification_report
from . import crm_cohort_report
from . import crm_contract_report
from . import crm_rfm_report
from . import crm_pareto_report
from . import crm_customer_equity_report
from . import crm_lifecycle_flow_report
from . import crm_complaint_report
