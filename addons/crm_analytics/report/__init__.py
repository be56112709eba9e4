from . import crm_classification_report
