from . import crm_classification_report
from . import crm_cohort_report
from . import crm_contract_report
