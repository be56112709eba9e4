from . import test_classification_report
from . import test_cohort_contract_report
from . import test_cross_sell
from . import test_cross_sell_tour
from . import test_i18n
from . import test_scoring_statistics
from . import test_customer_score
from . import test_score_aggregate
