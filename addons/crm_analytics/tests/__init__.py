from . import test_classification_report
from . import test_cohort_contract_report
from . import test_cross_sell
from . import test_cross_sell_tour
from . import test_i18n
